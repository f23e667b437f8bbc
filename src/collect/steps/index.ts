import type { Step } from "../step";
import { serviceEventsStep } from "./01-service-events";

/**
 * The check order (DESIGN.md §3), then supporting steps. Ids are stable: playbooks, snapshots and tests use them.
 * To add a step: one file here behind `Step`, its data schema in evidence/schema.ts, and its place in this list.
 */
export const STEPS: readonly Step[] = [
  serviceEventsStep,
];
