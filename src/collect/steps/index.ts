import type { Step } from "../step";
import { serviceEventsStep } from "./01-service-events";
import { deploymentStep } from "./02-deployment";
import { stoppedTasksStep } from "./03-stopped-tasks";
import { targetHealthStep } from "./04-target-health";
import { taskLogsStep } from "./05-task-logs";
import { networkPortsStep } from "./06-network-ports";
import { imageStep } from "./07-image";
import { secretsStep } from "./08-secrets";
import { subnetsStep } from "./09-subnets";
import { changesStep } from "./10-changes";
import { saturationStep } from "./11-saturation";

/**
 * The check order (DESIGN.md §3), then supporting steps. Ids are stable: playbooks, snapshots and tests use them.
 * To add a step: one file here behind `Step`, its data schema in evidence/schema.ts, and its place in this list.
 */
export const STEPS: readonly Step[] = [
  serviceEventsStep,
  deploymentStep,
  stoppedTasksStep,
  targetHealthStep,
  taskLogsStep,
  networkPortsStep,
  imageStep,
  secretsStep,
  subnetsStep,
  changesStep,
  saturationStep,
];
