/** Signing in: demo identities and any user id locally, Cognito's hosted UI in AWS. */

import { useState, type SubmitEvent } from "react";

import { useAuthSession } from "../api/ApiContext";
import { describeTransportError, TransportError } from "../api/transportErrors";
import { PageHeading } from "../ui/PageHeading";

// app/local/server.py DEMO_CUSTOMER and DEMO_STAFF: the local server seeds their data.
export const DEMO_CUSTOMER_ID = "demo-customer";
export const DEMO_STAFF_ID = "demo-staff";

export function SignInPage({ notice }: { notice: string | null }) {
  const session = useAuthSession();
  return (
    <div className="sign-in">
      <PageHeading>Sign in</PageHeading>
      {notice ? (
        <p className="notice" role="alert">
          {notice}
        </p>
      ) : null}
      {session.settings.mode === "local" ? <LocalSignIn /> : <HostedSignIn />}
    </div>
  );
}

function HostedSignIn() {
  const session = useAuthSession();
  const [leaving, setLeaving] = useState(false);
  return (
    <div className="card form">
      <p>Sign in or create an account to order and follow your deliveries.</p>
      <button
        type="button"
        className="primary"
        disabled={leaving}
        onClick={() => {
          setLeaving(true);
          // Come back to the page the person was on (an emailed order link, say).
          void session.startHostedSignIn(window.location.hash);
        }}
      >
        Sign in
      </button>
    </div>
  );
}

function LocalSignIn() {
  const session = useAuthSession();
  const [userId, setUserId] = useState("");
  const [staff, setStaff] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signInAs(sub: string, asStaff: boolean) {
    setPending(true);
    setError(null);
    try {
      await session.signInLocally(sub, asStaff);
    } catch (failure) {
      if (failure instanceof TransportError) setError(describeTransportError(failure));
      else setError(failure instanceof Error ? failure.message : "Signing in failed.");
      setPending(false);
    }
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (userId.trim()) void signInAs(userId.trim(), staff);
  }

  return (
    <>
      <section className="card form" aria-labelledby="demo-heading">
        <h2 id="demo-heading">Try the demo</h2>
        <p>This is a local server: pick who to be, no password needed.</p>
        <div className="buttons">
          <button type="button" className="primary" disabled={pending} onClick={() => void signInAs(DEMO_CUSTOMER_ID, false)}>
            Continue as demo customer
          </button>
          <button type="button" className="primary" disabled={pending} onClick={() => void signInAs(DEMO_STAFF_ID, true)}>
            Continue as demo staff
          </button>
        </div>
      </section>
      <form className="card form" aria-labelledby="any-user-heading" onSubmit={submit}>
        <h2 id="any-user-heading">Any user</h2>
        <div className="field">
          <label htmlFor="sign-in-user-id">User id</label>
          <input
            id="sign-in-user-id"
            autoComplete="username"
            required
            maxLength={100}
            value={userId}
            onChange={(event) => setUserId(event.currentTarget.value)}
          />
        </div>
        <div className="checkbox">
          <input id="sign-in-staff" type="checkbox" checked={staff} onChange={(event) => setStaff(event.currentTarget.checked)} />
          <label htmlFor="sign-in-staff">Staff</label>
        </div>
        <button type="submit" className="primary" disabled={pending}>
          Continue
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
