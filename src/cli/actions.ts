import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { planRollback, planScale, type Plan } from "../actions/plan";
import { loadActionsPolicy } from "../config/actions";
import { proposalId } from "../actions/proposal-id";
import type { ActionOutcome, PlannedAction, ServiceState } from "../actions/types";
import { createStores, type Deps } from "../app/deps";
import { diagnose } from "../app/diagnose";
import { executeAction } from "../app/execute-action";
import type { Diagnosis } from "../diagnose/types";
import type { Evidence } from "../evidence/schema";
import { tableDefinition } from "../store/table";
import type { RollbackArgs, ScaleArgs } from "./args";
import { cliDeps, regionOf, reportFailure, type CliIo } from "./diagnose";
import { ExitCode } from "./exit-codes";
import { shortName } from "../diagnose/template";

/**
 * `ecs-medic rollback` and `ecs-medic scale`: a fresh diagnosis, the same planning and guardrails as the Slack
 * buttons (`app.executeAction`), a printed plan, and a question on a terminal unless `--yes`. The caller's own AWS
 * credentials are the authorisation here; the audit names the local user.
 */
export async function runAction(args: RollbackArgs | ScaleArgs, io: CliIo): Promise<number> {
  const deps = await actionDeps(io);
  const result = await diagnose(deps, {
    service: args.service,
    cluster: args.cluster,
    scope: { region: regionOf(args.region, io.env), profile: args.profile },
  });
  if (!result.ok) return reportFailure(result.failure, io);
  let plan: Plan;
  try {
    plan = makePlan(args, result.evidence, result.diagnosis, io.env);
  } catch (error) {
    io.stderr.write(`ecs-medic: ${(error as Error).message}\n`);
    return ExitCode.Usage;
  }
  if (!plan.ok) {
    io.stderr.write(`ecs-medic: refused: ${plan.reason}\n`);
    return ExitCode.Failed;
  }
  const action = args.region ? plan.action : { ...plan.action, region: result.evidence.target.region };
  io.stdout.write(describePlan(action));
  if (!args.yes) {
    const answer = await ask(io, `Type "yes" to ${action.kind === "rollback" ? "roll back" : "scale"}: `);
    if (answer === undefined) {
      io.stderr.write(
        "ecs-medic: refused: not a terminal, so nothing can be confirmed — pass --yes to act without asking\n",
      );
      return ExitCode.Failed;
    }
    if (answer.trim().toLowerCase() !== "yes") {
      io.stderr.write("ecs-medic: cancelled; nothing was changed\n");
      return ExitCode.Failed;
    }
  }
  const outcome = await executeAction(deps, {
    action,
    actor: { id: localUser(io), via: "cli" },
    authorisation: { allowed: true },
  });
  io.stdout.write(describeOutcome(action, outcome));
  return outcome.status === "done" ? ExitCode.Ok : ExitCode.Failed;
}

/** The CLI's Deps, with the table's claims and audit when ECS_MEDIC_TABLE is set (once across processes). */
async function actionDeps(io: CliIo): Promise<Deps> {
  const base = cliDeps(io);
  if (io.deps?.store && io.deps.audit) return base;
  const stores = await createStores(io.env);
  return { ...base, store: io.deps?.store ?? stores.store, audit: io.deps?.audit ?? stores.audit };
}

function makePlan(args: RollbackArgs | ScaleArgs, evidence: Evidence, diagnosis: Diagnosis, env: CliIo["env"]): Plan {
  if (args.command === "rollback") return planRollback(evidence, args.to);
  // The same cap and factor as the buttons: the actions section of ECS_MEDIC_CONFIG (defaults: × 2, at most 50).
  const { scale } = loadActionsPolicy(env);
  return planScale(evidence, diagnosis, {
    to: args.to,
    factor: args.factor ?? scale.factor,
    maxDesired: scale.maxDesired,
  });
}

const short = (arn: string | undefined) => shortName(arn) ?? "?";

function describePlan(a: PlannedAction): string {
  const change =
    a.kind === "rollback"
      ? `task definition ${short(a.expect.taskDefinition)} → ${short(a.change.taskDefinition)}`
      : `desired count ${a.expect.desiredCount} → ${a.change.desiredCount}`;
  return [
    `Plan: ${a.title}`,
    `  service   ${a.service} in ${a.cluster} (${a.region})`,
    `  change    ${change}`,
    `  why       ${a.reason}`,
    `  guard     refused if ${a.service} no longer runs ${short(a.expect.taskDefinition)} with ${a.expect.desiredCount} desired`,
    `  proposal  ${proposalId(a)}`,
    "",
  ].join("\n");
}

function describeOutcome(a: PlannedAction, o: ActionOutcome): string {
  switch (o.status) {
    case "done":
      return [
        `Done: ${a.title}`,
        `  before  ${stateText(o.before)}`,
        `  after   ${stateText(o.after)}`,
        ...o.notes.map((n) => `  note    ${n}`),
        `  follow  aws ecs describe-services --cluster ${a.cluster} --services ${a.service} --query 'services[0].deployments'`,
        "",
      ].join("\n");
    case "duplicate":
      return `Not run: proposal ${o.proposalId} already ran (or is running); nothing was changed again\n`;
    case "stale":
    case "refused":
    case "failed":
      return `${o.status === "failed" ? "Failed" : "Refused"}: ${o.reason}\n  nothing was changed\n`;
  }
}

function stateText(s: ServiceState): string {
  const scaling = s.autoscalingMax !== undefined ? ` · autoscaling ${s.autoscalingMin ?? "?"}–${s.autoscalingMax}` : "";
  return `${short(s.taskDefinition)} · desired ${s.desiredCount}${scaling}`;
}

/** Reads one line from a terminal; undefined when stdin is not one (a pipe, CI). */
async function ask(io: CliIo, question: string): Promise<string | undefined> {
  const stdin = io.stdin ?? process.stdin;
  if (!(stdin as { isTTY?: boolean }).isTTY) return undefined;
  const rl = createInterface({ input: stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

function localUser(io: CliIo): string {
  try {
    return io.env.USER ?? userInfo().username;
  } catch {
    return "unknown";
  }
}

/** `ecs-medic store init`: the table of serverless.yml, where ECS_MEDIC_TABLE names it (moto or a real account). */
export async function runStoreInit(io: CliIo): Promise<number> {
  const table = io.env.ECS_MEDIC_TABLE;
  if (!table) {
    io.stderr.write("ecs-medic: store init needs ECS_MEDIC_TABLE (the table name)\n");
    return ExitCode.Usage;
  }
  const client = new DynamoDBClient({ maxAttempts: 3 });
  try {
    await client.send(new CreateTableCommand(tableDefinition(table)));
    io.stdout.write(`created table ${table}\n`);
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof ResourceInUseException || (error as Error).name === "ResourceInUseException") {
      io.stdout.write(`table ${table} already exists\n`);
      return ExitCode.Ok;
    }
    io.stderr.write(`ecs-medic: could not create ${table}: ${(error as Error).name}\n`);
    return ExitCode.NothingCollected;
  } finally {
    client.destroy();
  }
}
