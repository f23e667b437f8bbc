import type { Service as SdkService } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients";
import type { Clock } from "../clock";
import type {
  NetworkData,
  Service,
  StepData,
  StepError,
  StepId,
  Target,
  TargetGroup,
  Task,
  TaskDefinition,
} from "../evidence/schema";
import type { StepEntry } from "../steps/entry";
import type { TimeWindow } from "../time-window";
import type { RateLimiter } from "./rate-limiter";

/** Bounds that keep one diagnosis fast and its snapshot small. Defaults in `DEFAULT_LIMITS`. */
export interface CollectLimits {
  /** Stopped-task ARNs listed at most (ECS keeps stopped tasks about an hour). */
  readonly maxStoppedTasks: number;
  /** Running/pending task ARNs described at most. */
  readonly maxRunningTasks: number;
  /** Newest failed tasks whose logs are read. */
  readonly maxLogTasks: number;
  /** Last lines read per log stream. */
  readonly maxLogLines: number;
  /** Matches kept per log group from the error-pattern search. */
  readonly maxPatternMatches: number;
  /** CloudTrail events kept per lookup. */
  readonly maxChangeEvents: number;
  /** Service deployments read from ListServiceDeployments. */
  readonly maxServiceDeployments: number;
  /**
   * Log groups the diagnosis may read, by prefix (the worker's IAM role allows no others; `ECS_MEDIC_LOG_GROUP_PREFIXES`
   * sets both). A group outside them is not read and says why. Absent: any group the task definition names (the CLI,
   * on its caller's own credentials).
   */
  readonly logGroupPrefixes?: readonly string[] | undefined;
}

export const DEFAULT_LIMITS: CollectLimits = {
  maxStoppedTasks: 500,
  maxRunningTasks: 500,
  maxLogTasks: 5,
  maxLogLines: 50,
  maxPatternMatches: 50,
  maxChangeEvents: 50,
  maxServiceDeployments: 10,
};

/** The service's current task definition and, when one is known, the one before it. */
export interface TaskDefinitions {
  readonly current: TaskDefinition;
  readonly previous?: TaskDefinition | undefined;
  /** Why the previous one is missing when that was a failed read (AccessDenied, throttling), not "it is gone". */
  readonly errors: readonly StepError[];
}

/** A task ARN DescribeTasks answered with a `failures[]` entry instead of the task (e.g. `MISSING`). */
export interface TaskFailure {
  readonly arn: string;
  readonly reason: string;
  readonly detail?: string | undefined;
}

/** The service's tasks, described once and shared by every step that needs them. */
export interface ServiceTasks {
  /** Newest `stoppedAt` first. */
  readonly stopped: readonly Task[];
  readonly stoppedListed: number;
  readonly truncated: boolean;
  readonly running: readonly Task[];
  /** DescribeTasks batches that failed while others answered; their tasks are missing from the lists. */
  readonly errors: readonly StepError[];
  /** Task ARNs DescribeTasks reported in `failures[]`. */
  readonly failures: readonly TaskFailure[];
}

/** The service's target groups, described once and shared. */
export interface TargetGroups {
  /** The groups DescribeTargetGroups described, in service.loadBalancers order. */
  readonly groups: readonly TargetGroup[];
  /** Target group ARNs that could not be described (deleted, denied, throttled), with why. */
  readonly failed: readonly { readonly targetGroupArn: string; readonly error: StepError; readonly cause: unknown }[];
}

/** The load balancers in front of the service's target groups, described once and shared (steps 6 and 10). */
export interface LoadBalancers {
  /** Every load balancer ARN the target groups name, described or not. */
  readonly arns: readonly string[];
  readonly loadBalancers: NetworkData["loadBalancers"];
  /** DescribeLoadBalancers failed. */
  readonly error?: StepError | undefined;
}

/** What the service's subnets route through (step 10 looks for changes to it). */
export interface NetworkPath {
  readonly routeTables: readonly {
    readonly routeTableId: string;
    readonly natGatewayIds: readonly string[];
    readonly gatewayEndpointIds: readonly string[];
  }[];
  /** Every VPC endpoint in the service's VPC. */
  readonly vpcEndpointIds: readonly string[];
  readonly errors: readonly StepError[];
}

/**
 * What every step gets. Reads that several steps need (task definitions, tasks, target groups) are shared,
 * memoised promises: each AWS call is made once however many steps await it, and all steps can start at once.
 */
export interface CollectContext {
  readonly clients: AwsClients;
  readonly target: Target;
  readonly window: TimeWindow;
  readonly clock: Clock;
  readonly limits: CollectLimits;
  /** The service as DescribeServices returned it (events and deployments included). */
  readonly sdkService: SdkService;
  /** The same, as it is stored in the snapshot. */
  readonly service: Service;
  /** Spaces CloudTrail LookupEvents calls (2 requests/s per account and region). */
  readonly cloudTrailLimiter: RateLimiter;
  taskDefinitions(): Promise<TaskDefinitions>;
  tasks(): Promise<ServiceTasks>;
  targetGroups(): Promise<TargetGroups>;
  /** Never rejects: a failed read is in `error`. */
  loadBalancers(): Promise<LoadBalancers>;
  /** Never rejects: failed reads are in `errors`. */
  networkPath(): Promise<NetworkPath>;
}

/** What a step's `collect` returns; the runner adds timing and turns a throw into an `error` record. */
export type StepOutcome<D> =
  | { readonly status: "collected" | "partial"; readonly data: D; readonly errors: readonly StepError[] }
  | { readonly status: "skipped"; readonly skipReason: string; readonly data?: D | undefined };

/**
 * One step of the check order: its catalogue entry (id, number, title, summarize — pure, in `src/steps/`) plus the
 * AWS reads. Implementations only read AWS and return plain data; judging what the data means belongs to the
 * diagnosis, never here.
 *
 * @example
 * export const subnetsStep: Step<"subnets"> = {
 *   ...subnetsEntry,
 *   async collect(ctx) { … return outcome(data, errors); },
 * };
 */
export interface Step<K extends StepId = StepId> extends StepEntry<K> {
  collect(ctx: CollectContext): Promise<StepOutcome<StepData[K]>>;
  /**
   * A step that can be deferred (off the critical path: the report may go out without it and be updated) gives the
   * data its record holds while it is still running (`partial`, marked pending in the data).
   */
  placeholder?(ctx: CollectContext, startedAt: Date): StepData[K];
}

/** `collected` when every read answered, `partial` when some failed but data remains. */
export function outcome<D>(data: D, errors: readonly StepError[] = []): StepOutcome<D> {
  return { status: errors.length > 0 ? "partial" : "collected", data, errors };
}

export function skipped<D>(skipReason: string): StepOutcome<D> {
  return { status: "skipped", skipReason };
}
