/** The customer's profile: their name and the default delivery address orders go to. */

import { useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { ActionStatus, actionStatusProps } from "../commands/ActionStatus";
import { useCommandAction } from "../commands/useCommand";
import type { AddressInput, MeQuery } from "../gql/graphql";
import { AddressFields, EMPTY_ADDRESS, addressFieldLabels } from "../ui/AddressFields";
import { PageHeading } from "../ui/PageHeading";
import { RegisterCustomerMutation } from "./profileDocuments";
import { useMe } from "./useMe";

export function ProfilePage({ signInEmail }: { signInEmail: string | null }) {
  const me = useMe();
  return (
    <>
      <PageHeading>Profile</PageHeading>
      {me.isPending ? <p>Loading your profile…</p> : null}
      {/* The form starts from the profile as first loaded, then belongs to the person typing. */}
      {me.isSuccess ? <ProfileForm profile={me.data} signInEmail={signInEmail} /> : null}
    </>
  );
}

function ProfileForm({ profile, signInEmail }: { profile: MeQuery["me"]; signInEmail: string | null }) {
  const execute = useExecute();
  const queryClient = useQueryClient();
  const [name, setName] = useState(profile?.name ?? "");
  const [address, setAddress] = useState<AddressInput>(() => {
    const saved = profile?.defaultAddress;
    return saved ? { ...saved, line2: saved.line2 ?? "" } : EMPTY_ADDRESS;
  });
  const save = useCommandAction(
    async (input: { name: string; defaultAddress: AddressInput }) =>
      (await execute(RegisterCustomerMutation, { input })).registerCustomer,
    (command) => {
      if (command.state === "APPLIED") void queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  );
  const email = profile?.email ?? signInEmail;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    save.run({ name: name.trim(), defaultAddress: { ...address, line2: address.line2?.trim() || null } });
  }

  return (
    <form className="card form" onSubmit={submit}>
      {profile === null ? <p>Tell us who you are and where to deliver, and you are ready to order.</p> : null}
      {email ? <p>Order emails go to {email}, the address you signed in with.</p> : null}
      <div className="field">
        <label htmlFor="profile-name">Name</label>
        <input
          id="profile-name"
          autoComplete="name"
          required
          maxLength={120}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
        />
      </div>
      <AddressFields idPrefix="profile" legend="Default delivery address" address={address} onChange={setAddress} />
      <button type="submit" className="primary" disabled={save.busy}>
        Save profile
      </button>
      <ActionStatus
        {...actionStatusProps(save)}
        pendingText="Saving your profile…"
        appliedText="Profile saved."
        fieldLabels={{ name: "Name", ...addressFieldLabels("defaultAddress") }}
      />
    </form>
  );
}
