// CloudFront Function (cloudfront-js-2.0) on the site's default behavior, at viewer request.
// The app routes by hash (#/orders/...), but a path without a file extension (/, /orders/x,
// a bookmarked or mistyped address) is a page of the app: serve index.html for it. Files
// (/config.json, /favicon.ico, /assets/index-3f2a.js) pass through, and a missing one stays a
// miss instead of becoming an HTML page a script tag would choke on.
function handler(event) {
  var request = event.request;
  var name = request.uri.split("/").pop();
  if (name.indexOf(".") === -1) {
    request.uri = "/index.html";
  }
  return request;
}
