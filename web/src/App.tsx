/** The app's frame: sign-in when signed out; otherwise the header, the navigation and the page. */

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, type MouseEvent } from "react";

import { useAuthSession, useSessionState } from "./api/ApiContext";
import type { SignedInUser } from "./auth/authSession";
import { SignInPage } from "./auth/SignInPage";
import { MyOrdersPage } from "./orders/MyOrdersPage";
import { OrderPage } from "./orders/OrderPage";
import { ProfilePage } from "./profile/ProfilePage";
import { hrefFor, parseRoute, useHash, type Route } from "./routes";
import { ShopPage } from "./shop/ShopPage";
import { CatalogueEditorPage } from "./staff/CatalogueEditorPage";
import { StaffBoardPage } from "./staff/StaffBoardPage";
import { APP_NAME, PageHeading } from "./ui/PageHeading";
import { TransportBanner } from "./ui/TransportBanner";

export function App() {
  const state = useSessionState();
  const queryClient = useQueryClient();
  const signedOut = state.status === "signedOut";
  useEffect(() => {
    // One person's data never shows to the next: the cache goes with the session.
    if (signedOut) queryClient.clear();
  }, [signedOut, queryClient]);

  return (
    <>
      <SkipLink />
      {state.status === "signedIn" ? (
        <SignedIn user={state.user} />
      ) : (
        <>
          <Header user={null} route={{ page: "home" }} />
          <main id="main-content" tabIndex={-1}>
            <SignInPage notice={state.notice} />
          </main>
        </>
      )}
    </>
  );
}

function SignedIn({ user }: { user: SignedInUser }) {
  const hash = useHash();
  const route = parseRoute(hash);
  useFocusHeadingOnNavigation(hash);
  return (
    <>
      <Header user={user} route={route} />
      <TransportBanner />
      <main id="main-content" tabIndex={-1}>
        <Page route={route} user={user} />
      </main>
    </>
  );
}

function Page({ route, user }: { route: Route; user: SignedInUser }) {
  switch (route.page) {
    case "home":
      return user.staff ? <StaffBoardPage /> : <ShopPage userId={user.claims.sub} />;
    case "shop":
      return <ShopPage userId={user.claims.sub} />;
    case "orders":
      return <MyOrdersPage />;
    case "order":
      return <OrderPage key={route.orderId} orderId={route.orderId} />;
    case "profile":
      return <ProfilePage signInEmail={user.claims.email} />;
    case "board":
      return user.staff ? <StaffBoardPage /> : <StaffOnly />;
    case "catalogue":
      return user.staff ? <CatalogueEditorPage /> : <StaffOnly />;
    case "notFound":
      return (
        <>
          <PageHeading>Page not found</PageHeading>
          <p>
            There is no such page. <a href={hrefFor({ page: "home" })}>Go to the start</a>.
          </p>
        </>
      );
  }
}

function StaffOnly() {
  return (
    <>
      <PageHeading>Staff only</PageHeading>
      <p>
        This page is for staff. <a href={hrefFor({ page: "shop" })}>Go to the shop</a>.
      </p>
    </>
  );
}

function Header({ user, route }: { user: SignedInUser | null; route: Route }) {
  const session = useAuthSession();
  const links: { label: string; route: Route }[] =
    user === null
      ? []
      : user.staff
        ? [
            { label: "Orders board", route: { page: "board" } },
            { label: "Catalogue", route: { page: "catalogue" } },
          ]
        : [
            { label: "Shop", route: { page: "shop" } },
            { label: "My orders", route: { page: "orders" } },
            { label: "Profile", route: { page: "profile" } },
          ];
  const currentHref = hrefFor(route.page === "home" ? (user?.staff ? { page: "board" } : { page: "shop" }) : route);
  return (
    <header className="site-header">
      <a className="brand" href="#/">
        {APP_NAME}
      </a>
      {user ? (
        <nav aria-label="Main">
          <ul>
            {links.map((link) => {
              const href = hrefFor(link.route);
              return (
                <li key={href}>
                  <a href={href} aria-current={href === currentHref ? "page" : undefined}>
                    {link.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
      ) : null}
      {user ? (
        <div className="account">
          <span className="muted">{user.claims.name ?? user.claims.email ?? user.claims.sub}</span>
          <button type="button" className="secondary" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      ) : null}
    </header>
  );
}

/** Keyboard users jump past the header; a hash link would be taken for a route, so it focuses by script. */
function SkipLink() {
  const skip = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    document.getElementById("main-content")?.focus();
  };
  return (
    <a className="skip-link" href="#main-content" onClick={skip}>
      Skip to content
    </a>
  );
}

/** After a navigation (not on first load), focus the new page's heading, as a page load would. */
function useFocusHeadingOnNavigation(hash: string) {
  const previousHash = useRef(hash);
  useEffect(() => {
    if (hash === previousHash.current) return;
    previousHash.current = hash;
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, [hash]);
}
