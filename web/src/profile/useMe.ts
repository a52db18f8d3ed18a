/** The signed-in customer's profile; null until they register one. */

import { useQuery } from "@tanstack/react-query";

import { useExecute } from "../api/ApiContext";
import { queryKeys } from "../api/queryKeys";
import { MeQuery } from "./profileDocuments";

export function useMe() {
  const execute = useExecute();
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async () => (await execute(MeQuery)).me,
  });
}
