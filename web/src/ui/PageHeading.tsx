/** A page's h1, which also names the browser tab; the app moves focus to it after navigation. */

import { useEffect } from "react";

export const APP_NAME = "Order delivery";

export function PageHeading({ children }: { children: string }) {
  useEffect(() => {
    document.title = `${children} · ${APP_NAME}`;
  }, [children]);
  // tabIndex -1: focusable by script (App, on navigation), not in the tab order.
  return <h1 tabIndex={-1}>{children}</h1>;
}
