/** Following a queued command: poll command(id) while it is PENDING, and act once when it settles. */

import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useEffectEvent, useState } from "react";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import type { CommandQuery as CommandQueryResult } from "../gql/graphql";
import type { Refusal } from "../ui/RefusalMessage";
import { CommandQuery } from "./commandDocuments";
import { isSettled, pollInterval } from "./commandProgress";

/** A command a mutation queued, as command(id) answers it. */
export type QueuedCommand = NonNullable<CommandQueryResult["command"]>;

export interface Accepted {
  __typename: "CommandAccepted";
  commandId: string;
  orderId: string | null;
}

/** The command as last read (undefined before the first answer), and how many answers so far. */
export interface WatchedCommand {
  data: QueuedCommand | null | undefined;
  polls: number;
}

export function useCommand(
  commandId: string | null,
  onSettled: (command: QueuedCommand) => void,
): WatchedCommand {
  const execute = useExecute();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.command(commandId),
    queryFn:
      commandId === null
        ? skipToken
        : async () => {
            const { command } = await execute(CommandQuery, { id: commandId });
            // The order as it stands after the command: its page shows it with no request of its own.
            if (command?.order) queryClient.setQueryData(queryKeys.order(command.order.id), command.order);
            return command;
          },
    // A settled command never changes; a pending one is polled whatever its staleness.
    staleTime: Infinity,
    refetchInterval: (current) => pollInterval(current.state.data, current.state.dataUpdateCount),
  });
  const settle = useEffectEvent(onSettled);
  const command = query.data;
  useEffect(() => {
    if (command && isSettled(command)) settle(command);
  }, [command]);
  const polls = queryClient.getQueryState(queryKeys.command(commandId))?.dataUpdateCount ?? 0;
  return { data: command, polls };
}

/**
 * A mutation that queues a command, then the command: `run` sends it; `refusal` is the result
 * union's error member; the command is polled until applied or rejected, then `onSettled` runs.
 */
export function useCommandAction<Variables>(
  send: (variables: Variables) => Promise<Accepted | Refusal>,
  onSettled: (command: QueuedCommand) => void = () => undefined,
) {
  const [commandId, setCommandId] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const mutation = useMutation({
    mutationFn: send,
    onMutate: () => {
      setRefusal(null);
      setCommandId(null);
    },
    onSuccess: (result) => {
      if (result.__typename === "CommandAccepted") setCommandId(result.commandId);
      else setRefusal(result);
    },
  });
  const command = useCommand(commandId, onSettled);
  const busy = mutation.isPending || command.data?.state === "PENDING";
  return {
    run: mutation.mutate,
    retry: () => {
      if (mutation.variables !== undefined) mutation.mutate(mutation.variables);
    },
    /** Forget the last outcome (after the person reloaded what it was about). */
    reset: () => {
      mutation.reset();
      setRefusal(null);
      setCommandId(null);
    },
    mutation,
    command,
    refusal,
    busy,
  };
}

export type CommandAction = ReturnType<typeof useCommandAction>;
