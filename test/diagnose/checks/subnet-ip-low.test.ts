import { describe, expect, it } from "vitest";
import { subnetIpLowCheck } from "../../../src/diagnose/checks/subnet-ip-low";
import { context, deploymentData, deploymentEntry, evidence, ids, subnetsData, type EvidenceOptions } from "./fixture";

const cases: Array<{
  case: string;
  options: EvidenceOptions;
  expected: string[];
  severity?: string;
  vars?: Record<string, string>;
}> = [
  {
    case: "no free IP at all",
    options: { steps: { subnets: subnetsData([0, 0], { desiredCount: 10, runningCount: 10, surgeNeed: 10 }) } },
    expected: ["subnet-ip-low"],
    severity: "critical",
    vars: { free: "0", need: "10" },
  },
  {
    case: "fewer free IPs than the tasks still missing",
    options: { steps: { subnets: subnetsData([1, 1], { desiredCount: 10, runningCount: 6, surgeNeed: 14 }) } },
    expected: ["subnet-ip-low"],
    severity: "critical",
    vars: { missing: "4" },
  },
  {
    case: "mid-rollout: the service runs 22 of 20, but the PRIMARY deployment still misses 18 tasks",
    options: {
      steps: {
        subnets: subnetsData([0, 2], { desiredCount: 20, runningCount: 22, surgeNeed: 18 }),
        deployment: deploymentData({
          deployments: [{ ...deploymentEntry(), desiredCount: 20, runningCount: 2, rolloutState: "IN_PROGRESS" }],
        }),
      },
    },
    expected: ["subnet-ip-low"],
    severity: "critical",
    vars: { missing: "18" },
  },
  {
    case: "enough for the missing tasks, not for a full surge",
    options: { steps: { subnets: subnetsData([3, 2], { desiredCount: 10, runningCount: 10, surgeNeed: 10 }) } },
    expected: ["subnet-ip-low"],
    severity: "warn",
    vars: {
      free: "5",
      subnetCounts: "subnet-0a1b2c3d4e5f60001 (us-east-1a): 3, subnet-0a1b2c3d4e5f60002 (us-east-1b): 2",
    },
  },
  {
    case: "a subnet without a count is left out, and said so",
    options: { steps: { subnets: subnetsData([2, undefined], { desiredCount: 10, runningCount: 10, surgeNeed: 10 }) } },
    expected: ["subnet-ip-low"],
    vars: { free: "2", uncountedNote: " 1 subnet(s) reported no count and are left out." },
  },
  {
    case: "room for the whole surge",
    options: { steps: { subnets: subnetsData([200, 251], { desiredCount: 10, runningCount: 10, surgeNeed: 10 }) } },
    expected: [],
  },
  {
    case: "not applicable: no subnet reported a count",
    options: { steps: { subnets: subnetsData([undefined, undefined], { surgeNeed: 10 }) } },
    expected: [],
  },
  {
    case: "not applicable: nothing to add (desired 0)",
    options: { steps: { subnets: subnetsData([0], { desiredCount: 0, runningCount: 0, surgeNeed: 0 }) } },
    expected: [],
  },
  { case: "not applicable: not awsvpc (no subnets step)", options: {}, expected: [] },
];

describe("subnet-ip-low check", () => {
  it.each(cases)("$case", ({ options, expected, severity, vars }) => {
    const hits = subnetIpLowCheck.run(context(evidence(options)));
    expect(ids(hits)).toEqual(expected);
    if (severity) expect(hits[0]!.severity).toBe(severity);
    if (vars) expect(hits[0]!.vars).toMatchObject(vars);
  });
});
