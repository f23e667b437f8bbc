import { describe, expect, it } from "vitest";
import { secretNotReadableCheck } from "../../../src/diagnose/checks/secret-not-readable";
import type { Finding } from "../../../src/diagnose/types";
import {
  ACCOUNT,
  API_KEY_PARAM,
  context,
  DB_SECRET,
  evidence,
  EXECUTION_ROLE_ARN,
  finding,
  ids,
  REGION,
  secretsData,
  stoppedTasksData,
  task,
  taskRefs,
  type EvidenceOptions,
} from "./fixture";

// Real stoppedReason wordings (ECS "stopped task error messages").
const ASM_DENIED =
  `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ` +
  `service call has been retried 1 time(s): failed to fetch secret ${DB_SECRET} from secrets manager: AccessDeniedException: ` +
  `User: arn:aws:sts::${ACCOUNT}:assumed-role/payment-api-execution/0f1e2d3c4b5a69788796a5b4c3d2e1f0 is not authorized to perform: ` +
  `secretsmanager:GetSecretValue on resource: ${DB_SECRET} because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: 6b3d1f0e-4c2a-4e8b-9d7f-1a2b3c4d5e6f`;
const SSM_INVALID =
  "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: " +
  "service call has been retried 1 time(s): invalid ssm parameters: /prod/payment-api/api-key";
const NO_NAME =
  "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException";

const failedWith = (reason: string) =>
  task({
    stopCode: "TaskFailedToStart",
    stoppedReason: reason,
    startedAt: undefined,
    containers: [{ name: "app", lastStatus: "STOPPED" }],
  });

function scenario(
  reason: string,
  extra: EvidenceOptions["steps"] = {},
): { options: EvidenceOptions; findings: Finding[] } {
  const t = failedWith(reason);
  return {
    options: { steps: { secrets: secretsData(), "stopped-tasks": stoppedTasksData({ stopped: [t] }), ...extra } },
    findings: [
      finding({
        symptom: "secret_access_denied",
        evidence: taskRefs([t]).map((r) => ({ ...r, text: r.text!.slice(0, 120) })),
      }),
    ],
  };
}

const cases: Array<{
  case: string;
  options: EvidenceOptions;
  findings: Finding[];
  expected: string[];
  vars?: Record<string, string>;
}> = [
  {
    case: "AccessDeniedException on the DB secret (ARN beyond the clipped evidence text)",
    ...scenario(ASM_DENIED),
    expected: ["secret-not-readable"],
    vars: {
      container: "app",
      secretName: "DB_PASSWORD",
      secretArn: DB_SECRET,
      executionRole: "payment-api-execution",
      permission: "secretsmanager:GetSecretValue",
    },
  },
  {
    case: "invalid ssm parameters names the parameter by path",
    ...scenario(SSM_INVALID),
    expected: ["secret-not-readable"],
    vars: { secretName: "API_KEY", secretArn: API_KEY_PARAM, permission: "ssm:GetParameters" },
  },
  {
    case: "the failure names no secret: list what the execution role must read",
    ...scenario(NO_NAME),
    expected: ["secret-not-readable.unnamed"],
    vars: { secretCount: "2", executionRole: "payment-api-execution" },
  },
  {
    case: "partial ARN without the random suffix in the message",
    ...scenario(
      `ResourceInitializationError: ... failed to fetch secret arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/payment-api/db from secrets manager: ResourceNotFoundException`,
    ),
    expected: ["secret-not-readable"],
    vars: { secretName: "DB_PASSWORD" },
  },
  {
    case: "no secret finding: nothing to explain",
    options: scenario(ASM_DENIED).options,
    findings: [finding({ symptom: "app_crash" })],
    expected: [],
  },
  {
    case: "not applicable: the task definition declares no secrets and none is named",
    options: { steps: { secrets: secretsData({ secrets: [] }) } },
    findings: [
      finding({
        symptom: "secret_access_denied",
        steps: ["service-events"],
        evidence: [{ step: "service-events", kind: "event", id: "e-1", text: NO_NAME }],
      }),
    ],
    expected: [],
  },
];

describe("secret-not-readable check", () => {
  it.each(cases)("$case", ({ options, findings, expected, vars }) => {
    const hits = secretNotReadableCheck.run(context(evidence(options), { messageFindings: findings }));
    expect(ids(hits)).toEqual(expected);
    if (vars) expect(hits[0]!.vars).toMatchObject(vars);
  });

  it("reads the secrets from the task definition when the secrets step is missing", () => {
    const { findings } = scenario(ASM_DENIED);
    const t = failedWith(ASM_DENIED);
    const ev = evidence({ steps: { "stopped-tasks": stoppedTasksData({ stopped: [t] }) } });
    const hits = secretNotReadableCheck.run(
      context(ev, { messageFindings: [{ ...findings[0]!, evidence: taskRefs([t]) }] }),
    );
    expect(ids(hits)).toEqual(["secret-not-readable"]);
    expect(hits[0]!.vars["executionRole"]).toBe(EXECUTION_ROLE_ARN.split("/").pop());
  });
});
