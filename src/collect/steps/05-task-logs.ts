import { taskLogsEntry } from "../../steps/05-task-logs";
import {
  GetLogEventsCommand,
  paginateFilterLogEvents,
  type CloudWatchLogsClient,
} from "@aws-sdk/client-cloudwatch-logs";
import { taskIdOf } from "../../aws/arn";
import { awsCall } from "../../aws/aws-call";
import { otherRegionError, toStepError } from "../../aws/step-error";
import { redact } from "../../evidence/redact";
import {
  StepErrorKind,
  type StepError,
  type Task,
  type TaskDefinition,
  type TaskLogsData,
} from "../../evidence/schema";
import { iso, windowDates } from "../../time-window";
import { mapLimit } from "../../util/map-limit";
import { outcome, type Step, type TaskDefinitions } from "../step";

type StreamResult = TaskLogsData["streams"][number];
type PatternSearch = TaskLogsData["patternSearches"][number];
type SkippedContainer = TaskLogsData["skipped"][number];

/**
 * Words that mark a failing line. Filter-pattern terms are case-sensitive, hence the three spellings of error;
 * `?term ?term` means "any of", and a term with spaces must be quoted.
 */
const ERROR_TERMS = [
  "ERROR",
  "Error",
  "error",
  "Exception",
  "FATAL",
  "panic",
  "OOM",
  "Out of memory",
  "AccessDenied",
  "killed",
];
export const ERROR_FILTER_PATTERN = ERROR_TERMS.map((t) => (/^[A-Za-z0-9]+$/.test(t) ? `?${t}` : `?"${t}"`)).join(" ");

/** FilterLogEvents scans a slice of the group per call and may answer with empty pages: cap the pages, not only matches. */
const MAX_PATTERN_PAGES = 5;
/** GetLogEvents allows 25 requests/s per account and region; a few at a time is plenty. */
const STREAM_CONCURRENCY = 5;

/** One awslogs stream to read. */
interface StreamPlan {
  readonly taskArn: string;
  readonly containerName: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly region: string | undefined;
}

/** One log group to search, with the stream-name prefix its containers share (a group may hold other services' streams). */
interface GroupPlan {
  readonly logGroup: string;
  readonly region: string | undefined;
  readonly streamPrefixes: Array<string | undefined>;
}

/**
 * Step 5 — the last log lines of the newest failed tasks, and an error-word search over the window.
 * Log group, region and stream prefix come from each essential container's `awslogs` logConfiguration in the
 * task's own task definition (never from a naming convention); the stream is `prefix/container/taskId`.
 * Reads: logs:GetLogEvents per stream (newest `maxLogLines`), logs:FilterLogEvents per log group (bounded).
 * Lines are redacted before they are kept. A container that never started (the task has no `startedAt`, or the
 * container no `runtimeId`: it stopped while pulling, fetching secrets or getting an ENI) has no stream, so it is
 * listed in `skipped` instead of read. A log group in another region is recorded on its item with an
 * `other_region` error, which is not a step error: nothing failed.
 */
export const taskLogsStep: Step<"task-logs"> = {
  ...taskLogsEntry,
  async collect(ctx) {
    const [definitions, tasks] = await Promise.all([ctx.taskDefinitions(), ctx.tasks()]);
    // Failed tasks first; with none, the newest running ones still show what the service is logging.
    const chosen =
      tasks.stopped.length > 0
        ? tasks.stopped.slice(0, ctx.limits.maxLogTasks)
        : [...tasks.running].sort(newestStartedFirst).slice(0, ctx.limits.maxLogTasks);

    const skipped = new Map<string, SkippedContainer>();
    const readErrors: StepError[] = [...tasks.errors];
    const streams: StreamPlan[] = [];
    const groups = new Map<string, GroupPlan>();
    const addGroup = (logGroup: string, region: string | undefined, streamPrefix: string | undefined) => {
      const key = `${region ?? ""}\u0000${logGroup}`;
      const group = groups.get(key) ?? { logGroup, region, streamPrefixes: [] };
      group.streamPrefixes.push(streamPrefix);
      groups.set(key, group);
    };

    const visit = (td: TaskDefinition, task: Task | undefined) => {
      const fargate = task?.launchType ? task.launchType === "FARGATE" : td.requiresCompatibilities.includes("FARGATE");
      for (const container of td.containers.filter((c) => c.essential)) {
        const config = container.logConfiguration;
        const skip = (reason: string) => {
          const key = `${container.name}\u0000${config?.logDriver ?? ""}`;
          if (!skipped.has(key))
            skipped.set(
              key,
              config
                ? { containerName: container.name, logDriver: config.logDriver, reason }
                : { containerName: container.name, reason },
            );
        };
        if (!config) {
          skip("no logConfiguration: ECS keeps no logs for this container");
          continue;
        }
        if (config.logDriver !== "awslogs") {
          skip(otherDriverReason(config.logDriver));
          continue;
        }
        const group = config.options["awslogs-group"];
        const region = config.options["awslogs-region"];
        const prefix = config.options["awslogs-stream-prefix"];
        if (!group) {
          skip("awslogs without awslogs-group: no log group to read");
          continue;
        }
        addGroup(group, region, prefix ? `${prefix}/${container.name}/` : undefined);
        if (!task) continue;
        if (neverStarted(task, container.name)) {
          skipped.set(`${task.taskArn}\u0000${container.name}`, {
            containerName: container.name,
            taskArn: task.taskArn,
            logDriver: config.logDriver,
            reason: NEVER_STARTED,
          });
          continue;
        }
        if (!prefix) {
          // With a prefix the stream is prefix/container/task-id; without one (EC2 only) Docker names it after the
          // container id, which nothing in ECS's task description gives us.
          skip(
            fargate
              ? "awslogs without awslogs-stream-prefix, which Fargate requires: no stream name to read"
              : "awslogs without awslogs-stream-prefix: on EC2 the stream is named after the Docker container id, which ECS does not report; only the log-group search covers it",
          );
          continue;
        }
        streams.push({
          taskArn: task.taskArn,
          containerName: container.name,
          logGroup: group,
          logStream: `${prefix}/${container.name}/${taskIdOf(task.taskArn)}`,
          region,
        });
      }
    };
    visit(definitions.current, undefined);
    for (const task of chosen) visit(definitionFor(task, definitions), task);

    const skippedList = [...skipped.values()];
    if (groups.size === 0) {
      const drivers = [...new Set(skippedList.map((s) => s.logDriver ?? "none"))].join(", ");
      return {
        status: "skipped",
        skipReason: `no essential container logs to CloudWatch Logs (awslogs); log drivers: ${drivers || "none"}`,
        data: { streams: [], patternSearches: [], skipped: skippedList },
      };
    }

    const logs = ctx.clients.logs;
    const here = ctx.target.region;
    const { since, until } = windowDates(ctx.window);
    const [streamResults, patternSearches] = await Promise.all([
      mapLimit(uniqueStreams(streams), STREAM_CONCURRENCY, (plan) =>
        readStream(logs, plan, here, ctx.limits.maxLogLines, ctx.limits.logGroupPrefixes),
      ),
      mapLimit([...groups.values()], STREAM_CONCURRENCY, (group) =>
        searchGroup(
          logs,
          group,
          here,
          since.getTime(),
          until.getTime(),
          ctx.limits.maxPatternMatches,
          ctx.limits.logGroupPrefixes,
        ),
      ),
    ]);

    const data: TaskLogsData = { streams: streamResults, patternSearches, skipped: skippedList };
    const errors: StepError[] = [
      ...readErrors,
      ...[...streamResults, ...patternSearches].flatMap((r) =>
        r.error && r.error.kind !== StepErrorKind.OtherRegion ? [r.error] : [],
      ),
    ];
    return outcome(data, errors);
  },
};

/**
 * A log group ecs-medic is not allowed to read here (outside the configured prefixes): not read, and said as such —
 * not as a permission to grant, since the denial is the point.
 */
function outsidePrefixes(
  operation: string,
  logGroup: string,
  prefixes: readonly string[] | undefined,
): StepError | undefined {
  if (!prefixes || prefixes.length === 0 || prefixes.some((p) => logGroup.startsWith(p))) return undefined;
  return {
    kind: StepErrorKind.AccessDenied,
    code: "OutsideLogGroupPrefixes",
    operation,
    message: `log group ${logGroup} is outside the log-group prefixes ecs-medic may read (${prefixes.join(", ")})`,
    hint: `not read: ${logGroup} is outside ECS_MEDIC_LOG_GROUP_PREFIXES (${prefixes.join(", ")}) — move the service's logs under one, or add its prefix at deploy time`,
  };
}

async function readStream(
  logs: CloudWatchLogsClient,
  plan: StreamPlan,
  here: string,
  limit: number,
  prefixes: readonly string[] | undefined,
): Promise<StreamResult> {
  const base = {
    taskArn: plan.taskArn,
    containerName: plan.containerName,
    logGroup: plan.logGroup,
    logStream: plan.logStream,
    ...(plan.region ? { region: plan.region } : {}),
  };
  if (plan.region && plan.region !== here) {
    return {
      ...base,
      lines: [],
      error: otherRegionError("logs:GetLogEvents", `log group ${plan.logGroup}`, plan.region, here),
    };
  }
  const outside = outsidePrefixes("logs:GetLogEvents", plan.logGroup, prefixes);
  if (outside) return { ...base, lines: [], error: outside };
  try {
    // startFromHead=false returns the newest `limit` events of the stream: one call is enough.
    const out = await awsCall("logs:GetLogEvents", () =>
      logs.send(
        new GetLogEventsCommand({
          logGroupName: plan.logGroup,
          logStreamName: plan.logStream,
          startFromHead: false,
          limit,
        }),
      ),
    );
    const lines = (out.events ?? [])
      .flatMap((e) => (e.timestamp === undefined ? [] : [{ ts: e.timestamp, message: e.message ?? "" }]))
      .sort((a, b) => a.ts - b.ts)
      .slice(-limit)
      .map((e) => ({ timestamp: iso(new Date(e.ts)), message: redact(e.message.trimEnd()) }));
    return { ...base, lines };
  } catch (error) {
    return { ...base, lines: [], error: toStepError(error, "logs:GetLogEvents") };
  }
}

async function searchGroup(
  logs: CloudWatchLogsClient,
  group: GroupPlan,
  here: string,
  startTime: number,
  endTime: number,
  max: number,
  prefixes: readonly string[] | undefined,
): Promise<PatternSearch> {
  const matches: PatternSearch["matches"] = [];
  const logStreamNamePrefix = commonPrefix(group.streamPrefixes);
  const result = (truncated: boolean, error?: StepError): PatternSearch => ({
    logGroup: group.logGroup,
    ...(logStreamNamePrefix ? { logStreamNamePrefix } : {}),
    filterPattern: ERROR_FILTER_PATTERN,
    matches: matches.sort((a, b) => a.timestamp.localeCompare(b.timestamp)),
    truncated,
    ...(error ? { error } : {}),
  });
  if (group.region && group.region !== here) {
    return result(false, otherRegionError("logs:FilterLogEvents", `log group ${group.logGroup}`, group.region, here));
  }
  const outside = outsidePrefixes("logs:FilterLogEvents", group.logGroup, prefixes);
  if (outside) return result(false, outside);
  let truncated = false;
  try {
    await awsCall("logs:FilterLogEvents", async () => {
      const pages = paginateFilterLogEvents(
        { client: logs, pageSize: max },
        {
          logGroupName: group.logGroup,
          ...(logStreamNamePrefix ? { logStreamNamePrefix } : {}),
          startTime,
          endTime,
          filterPattern: ERROR_FILTER_PATTERN,
          // Newest matches first, so the cap keeps the latest errors (supported for startTime after 2024-01-01).
          startFromHead: false,
        },
      );
      let pageCount = 0;
      for await (const page of pages) {
        pageCount += 1;
        for (const e of page.events ?? []) {
          if (matches.length >= max) {
            truncated = true;
            return;
          }
          if (e.timestamp === undefined) continue;
          matches.push({
            timestamp: iso(new Date(e.timestamp)),
            message: redact((e.message ?? "").trimEnd()),
            logStream: e.logStreamName ?? "",
          });
        }
        if (page.nextToken && (matches.length >= max || pageCount >= MAX_PATTERN_PAGES)) {
          truncated = true;
          return;
        }
      }
    });
    return result(truncated);
  } catch (error) {
    return result(truncated, toStepError(error, "logs:FilterLogEvents"));
  }
}

/** The task's own task definition when it is the current or previous one, else the current one. */
function definitionFor(task: Task, definitions: TaskDefinitions): TaskDefinition {
  if (definitions.previous && task.taskDefinitionArn === definitions.previous.taskDefinitionArn)
    return definitions.previous;
  return definitions.current;
}

/** Why a container's stream is not read when it never started. */
export const NEVER_STARTED = "container never started (stopped before start-up finished)";

/**
 * No `startedAt` on the task, or no `runtimeId` on the container: the container never ran, so awslogs never
 * created its stream (reading it would only answer ResourceNotFoundException).
 */
function neverStarted(task: Task, containerName: string): boolean {
  return !task.startedAt || !task.containers.find((c) => c.name === containerName)?.runtimeId;
}

function uniqueStreams(plans: readonly StreamPlan[]): StreamPlan[] {
  const seen = new Set<string>();
  return plans.filter((p) => {
    const key = `${p.region ?? ""}\u0000${p.logGroup}\u0000${p.logStream}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The longest prefix all containers' streams share; none when a container has no stream prefix. */
function commonPrefix(prefixes: ReadonlyArray<string | undefined>): string | undefined {
  if (prefixes.length === 0 || prefixes.some((p) => p === undefined)) return undefined;
  let common = prefixes[0]!;
  for (const p of prefixes as string[]) {
    let i = 0;
    while (i < common.length && i < p.length && common[i] === p[i]) i += 1;
    common = common.slice(0, i);
  }
  return common || undefined;
}

function newestStartedFirst(a: Task, b: Task): number {
  return (b.startedAt ?? b.createdAt ?? "").localeCompare(a.startedAt ?? a.createdAt ?? "");
}

function otherDriverReason(driver: string): string {
  switch (driver) {
    case "awsfirelens":
    case "firelens":
      return "logs go through FireLens (Fluent Bit/Fluentd) to the destination in its options; ecs-medic reads CloudWatch Logs (awslogs) only";
    case "json-file":
    case "local":
      return `logs stay on the container instance's disk (${driver}); read them on the host with docker logs`;
    default:
      return `logs go to ${driver}; ecs-medic reads CloudWatch Logs (awslogs) only`;
  }
}
