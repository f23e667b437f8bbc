import type { StepData, StepId } from "../evidence/schema";

/**
 * What a step of the check order *is*, apart from how its evidence is collected: its stable id, its place in the
 * order, the title people read, and the one-line summary of its data. Pure, so the diagnosis, the renderers and the
 * Slack progress messages use it without loading any AWS client; the collector (`src/collect/steps/NN-*.ts`) spreads
 * its entry and adds `collect`.
 *
 * @example
 * export const subnetsEntry: StepEntry<"subnets"> = {
 *   id: "subnets", number: 9, title: "Subnet IPs",
 *   summarize: (data) => `${data.totalAvailable} free IP(s) …`,
 * };
 */
export interface StepEntry<K extends StepId = StepId> {
  readonly id: K;
  /** Position in the ten-step check order; `null` for supporting steps such as `saturation`. */
  readonly number: number | null;
  /** The one place a step's title is written (reports, progress, the check order). */
  readonly title: string;
  /** One line saying what was found, for the terminal and progress messages. Pure. */
  summarize(data: StepData[K]): string;
}
