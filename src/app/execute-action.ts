import { randomUUID } from "node:crypto";
import { destroyClients } from "../aws/release";
import {
  applyChange,
  checkRollbackTarget,
  checkScaleRoom,
  readService,
  staleReason,
  type LiveService,
} from "../actions/guard";
import { proposalId } from "../actions/proposal-id";
import type { ActionOutcome, Actor, AuditRecord, PlannedAction, ServiceState } from "../actions/types";
import type { Deps } from "./deps";
import { describeFailure } from "./failure";

export interface ActionRequest {
  readonly action: PlannedAction;
  readonly actor: Actor;
  /**
   * Whether the actor may make this change, decided by the caller before anything else: the Slack path from the
   * config's allow-list, the CLI from the caller's own IAM credentials. A refusal here is audited and changes nothing.
   */
  readonly authorisation: { readonly allowed: true } | { readonly allowed: false; readonly reason: string };
}

/** How long a finished proposal id stays claimed: a click on a days-old report is still a duplicate. */
const DONE_TTL_SECONDS = 30 * 24 * 3600;
/** The lease of a run in progress: re-read, checks and UpdateService take seconds. */
const LEASE_SECONDS = 120;

/**
 * The one recipe every guarded action follows (CLI and Slack alike): authorise → claim the proposal once → re-read
 * the service and refuse if it changed → check the change is safe (target revision ACTIVE and the same bytes; IPs for
 * a scale-out) → change it → re-read → audit. Every attempt is audited, whatever its outcome. Never throws.
 */
export async function executeAction(deps: Deps, request: ActionRequest): Promise<ActionOutcome> {
  const { action, actor } = request;
  const id = proposalId(action);
  const audit = async (outcome: ActionOutcome) => {
    const record: AuditRecord = {
      at: deps.clock().toISOString(),
      proposalId: id,
      kind: action.kind,
      region: action.region,
      cluster: action.cluster,
      service: action.service,
      actor,
      outcome: outcome.status,
      expect: action.expect,
      change: action.change,
      ...("reason" in outcome ? { reason: outcome.reason } : {}),
      ...("before" in outcome && outcome.before ? { before: outcome.before } : {}),
      ...(outcome.status === "done" ? { after: outcome.after } : {}),
    };
    try {
      await deps.audit.append(record);
    } catch (error) {
      // The change (or refusal) stands; a lost audit line is logged loudly with everything it held.
      deps.logger.error("audit write failed", {
        record,
        reason: describeFailure(error, { subject: action.service, logger: deps.logger }).detail,
      });
    }
    return outcome;
  };

  if (!request.authorisation.allowed)
    return audit({ status: "refused", proposalId: id, reason: request.authorisation.reason });

  const claimKey = `action#${id}`;
  let claimed: boolean;
  try {
    const claim = await deps.store.claim(claimKey, {
      owner: randomUUID(),
      leaseSeconds: LEASE_SECONDS,
      ttlSeconds: DONE_TTL_SECONDS,
      now: deps.clock(),
    });
    claimed = claim.claimed;
  } catch {
    // Without the claim, "exactly once" cannot be promised: change nothing.
    return audit({
      status: "failed",
      proposalId: id,
      reason: "the action store could not be reached; nothing was changed",
    });
  }
  if (!claimed) return audit({ status: "duplicate", proposalId: id });
  // A refused or failed attempt frees the id at once (after a fix, the same proposal may run); a done one keeps it.
  const release = () => deps.store.release(claimKey, deps.clock()).catch(() => undefined);

  const clients = await deps.aws({ region: action.region });
  let before: LiveService | undefined;
  try {
    before = await readService(clients, action.cluster, action.service);
    const stale = staleReason(action, before);
    if (stale) {
      await release();
      return audit({ status: "stale", proposalId: id, reason: stale, before: state(before) });
    }
    const notes: string[] = [];
    if (action.kind === "rollback") {
      const checked = await checkRollbackTarget(clients, action, before);
      notes.push(...checked.notes);
      if (checked.refusal) {
        await release();
        return audit({ status: "refused", proposalId: id, reason: checked.refusal, before: state(before) });
      }
    } else {
      const refusal = await checkScaleRoom(clients, action, before);
      if (refusal) {
        await release();
        return audit({ status: "refused", proposalId: id, reason: refusal, before: state(before) });
      }
    }
    notes.push(...(await applyChange(clients, action, before)));
    const after = await readService(clients, action.cluster, action.service).then(state, () =>
      expectedAfter(action, before!),
    );
    await deps.store.finish(claimKey, deps.clock()).catch(() => undefined);
    return audit({ status: "done", proposalId: id, before: state(before), after, notes });
  } catch (error) {
    await release();
    const failure = describeFailure(error, {
      subject: action.service,
      operation: "ecs:UpdateService",
      logger: deps.logger,
    });
    const reason = [failure.detail, failure.hint].filter(Boolean).join(" — ");
    return audit({ status: "failed", proposalId: id, reason, ...(before ? { before: state(before) } : {}) });
  } finally {
    destroyClients(clients);
  }
}

function state(live: LiveService): ServiceState {
  return {
    taskDefinition: live.taskDefinition,
    desiredCount: live.desiredCount,
    ...(live.autoscalingMax !== undefined ? { autoscalingMax: live.autoscalingMax } : {}),
    ...(live.autoscalingMin !== undefined ? { autoscalingMin: live.autoscalingMin } : {}),
  };
}

/** What the service looks like after the change when the re-read fails: the change as made. */
function expectedAfter(action: PlannedAction, before: LiveService): ServiceState {
  return {
    ...state(before),
    ...(action.change.taskDefinition ? { taskDefinition: action.change.taskDefinition } : {}),
    ...(action.change.desiredCount !== undefined ? { desiredCount: action.change.desiredCount } : {}),
  };
}
