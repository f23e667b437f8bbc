/** The same seed gives the same faults, so a chaos run can be repeated. */
export { seeded as seededRandom } from "../../test/helpers/random";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
