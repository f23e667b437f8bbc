import { describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { loadAccessPolicy, parseAccessPolicy } from "../../src/config/access";
import { decideAccess, globMatch, type AccessRequest } from "../../src/config/access-policy";
import { UsageError } from "../../src/errors";
import { accessRequestOf, checkAccess } from "../../src/slack/access-gate";
import { MemoryAccessAuditLog } from "../../src/store/access-audit";
import { accessConfigFile } from "../helpers/access-config";

const ask = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  team: "T0ACME",
  channel: "C0INCIDENTS",
  channelName: "incidents",
  user: "U0BOB",
  command: "diagnose",
  cluster: "prod",
  service: "payment-api",
  ...over,
});

const policy = parseAccessPolicy({
  contact: "<#C0PLATFORM>",
  allow: [
    { teams: ["T0ACME"], channels: ["C0INCIDENTS", "#ops"], commands: ["diagnose", "rerun", "evidence", "export"] },
    { teams: ["T0ACME"], channels: ["C0PAYMENTS"], services: ["payment-*"], clusters: ["prod", "staging-?"] },
    { teams: ["T0ACME"], channels: ["C0DBATEAM"], usergroups: ["S0DBA"] },
    { teams: ["T0ACME"], channels: ["C0ALICE"], users: ["U0ALICE"] },
  ],
});
const noGroups = async () => [] as string[];

describe("globMatch", () => {
  it.each([
    ["*", "anything", true],
    ["payment-*", "payment-api", true],
    ["payment-*", "payments", false],
    ["staging-?", "staging-2", true],
    ["staging-?", "staging-12", false],
    ["*-api", "payment-api", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["prod", "prod", true],
    ["prod", "production", false],
  ])("%s vs %s → %s", (glob, text, want) => {
    expect(globMatch(glob, text)).toBe(want);
  });

  it("answers a many-star glob against a long name without backtracking blow-up", () => {
    expect(globMatch("*a*a*a*a*a*a*a*b", "a".repeat(255))).toBe(false);
  });
});

describe("decideAccess", () => {
  it("no access: section at all → nobody, with the default contact", async () => {
    const d = await decideAccess(parseAccessPolicy(undefined), ask());
    expect(d).toMatchObject({ allowed: false, reason: expect.stringMatching(/not open to anyone yet/) });
    expect(d.allowed === false && d.contact).toMatch(/platform admin/);
  });

  it.each([
    ["a listed channel, any user", ask(), true],
    ["a #name entry", ask({ channel: "C0OPS", channelName: "ops" }), true],
    ["evidence where it is listed", ask({ command: "evidence" }), true],
    ["a service matching the glob in a listed cluster", ask({ channel: "C0PAYMENTS", cluster: "staging-2" }), true],
    ["a listed user", ask({ channel: "C0ALICE", user: "U0ALICE" }), true],
  ])("allows %s", async (_name, request, allowed) => {
    expect((await decideAccess(policy, request, noGroups)).allowed).toBe(allowed);
  });

  it.each([
    ["another workspace", ask({ team: "T0OTHER" }), /not open to this Slack workspace/],
    ["no workspace at all", ask({ team: undefined }), /not open to this Slack workspace/],
    [
      "an unlisted channel",
      ask({ channel: "C0RANDOM", channelName: "random" }),
      /may not \/ecs diagnose in this channel/,
    ],
    [
      "a command the channel does not allow",
      ask({ channel: "C0PAYMENTS", command: "export" }),
      /export evidence in this channel/,
    ],
    [
      "a service outside the glob",
      ask({ channel: "C0PAYMENTS", service: "checkout" }),
      /checkout in prod is not among/,
    ],
    ["a cluster outside the list", ask({ channel: "C0PAYMENTS", cluster: "dev" }), /payment-api in dev is not among/],
    [
      "no cluster where the entry restricts clusters",
      ask({ channel: "C0PAYMENTS", cluster: undefined }),
      /Name the cluster/,
    ],
    ["an unlisted user", ask({ channel: "C0ALICE" }), /not among the people/],
  ])("refuses %s, saying why", async (_name, request, why) => {
    const d = await decideAccess(policy, request, noGroups);
    expect(d.allowed).toBe(false);
    expect(d.allowed === false && d.reason).toMatch(why);
    expect(d.allowed === false && d.contact).toBe("<#C0PLATFORM>");
  });

  it("points to the channels where the command is allowed", async () => {
    const d = await decideAccess(policy, ask({ channel: "C0RANDOM", channelName: "random" }));
    expect(d.allowed === false && d.hint).toBe(
      "It is allowed in <#C0INCIDENTS>, #ops, <#C0PAYMENTS>, <#C0DBATEAM>, <#C0ALICE>.",
    );
  });

  it("user groups: pending without a way to read them, then decided by membership; an unreadable group grants nobody", async () => {
    const request = ask({ channel: "C0DBATEAM" });
    expect(await decideAccess(policy, request)).toEqual({ allowed: "pending", usergroups: ["S0DBA"] });
    expect((await decideAccess(policy, request, async () => ["U0BOB"])).allowed).toBe(true);
    const refused = await decideAccess(policy, request, async () => {
      throw new Error("missing_scope");
    });
    expect(refused.allowed).toBe(false);
    expect(refused.allowed === false && refused.hint).toBe("Allowed: <!subteam^S0DBA>.");
  });
});

describe("the access: section", () => {
  it("fills the defaults: diagnose and rerun, every cluster and service, anyone in the channel", () => {
    expect(parseAccessPolicy({ allow: [{ teams: ["T0ACME"] }] }).allow[0]).toEqual({
      teams: ["T0ACME"],
      commands: ["diagnose", "rerun"],
      clusters: ["*"],
      services: ["*"],
      users: [],
      usergroups: [],
    });
  });

  it.each([
    [{ allow: [{ channels: ["C0X1234567"] }] }, /access\.allow\.0\.teams/],
    [{ allow: [{ teams: ["T0ACME"], commands: ["rollback"] }] }, /access\.allow\.0\.commands\.0/],
    [{ allow: [{ teams: ["T0ACME"], services: ["pay(ment|ments)"] }] }, /expected an ECS name or a glob/],
    [{ allow: [{ teams: ["T0ACME"], channels: ["general"] }] }, /channel id \(C0123ABC\) or #name/],
    [{ allow: [{ teams: ["T0ACME"], color: "red" }] }, /access\.allow\.0/],
  ])("refuses %j naming the field", (section, why) => {
    expect(() => parseAccessPolicy(section, "ecs-medic.yaml")).toThrow(UsageError);
    expect(() => parseAccessPolicy(section, "ecs-medic.yaml")).toThrow(why);
  });

  it("is read from ECS_MEDIC_CONFIG beside the other sections; none → the default", () => {
    const file = accessConfigFile("allow:\n  - teams: [T0ACME]\n    channels: [C0INCIDENTS]");
    expect(loadAccessPolicy({ ECS_MEDIC_CONFIG: file }).allow).toHaveLength(1);
    expect(loadAccessPolicy({}).allow).toEqual([]);
  });
});

describe("checkAccess", () => {
  it("audits a refusal and answers with an ephemeral message naming who to ask; the reason is escaped", async () => {
    const audit = new MemoryAccessAuditLog();
    const gate = await checkAccess(
      { policy, clock: fixedClock("2026-11-26T10:00:00Z"), audit },
      ask({ channel: "C0RANDOM", channelName: "random" }),
      "slack",
    );
    expect(gate.allowed).toBe(false);
    if (gate.allowed) return;
    expect(audit.records).toEqual([
      expect.objectContaining({
        at: "2026-11-26T10:00:00.000Z",
        team: "T0ACME",
        channel: "C0RANDOM",
        user: "U0BOB",
        command: "diagnose",
        service: "payment-api",
        by: "slack",
      }),
    ]);
    expect(JSON.stringify(gate.message.blocks)).toContain("To get access, ask <#C0PLATFORM>.");
    expect(gate.message.text).not.toMatch(/[<>]/);
  });

  it("a failing audit write does not block the refusal", async () => {
    const gate = await checkAccess(
      {
        policy,
        clock: fixedClock("2026-11-26T10:00:00Z"),
        audit: { append: () => Promise.reject(new Error("ProvisionedThroughputExceededException")) },
      },
      ask({ team: "T0OTHER" }),
      "worker",
    );
    expect(gate.allowed).toBe(false);
  });

  it("reads a worker job as the command that started it", () => {
    const base = {
      jobId: "j",
      service: "prod/payment-api",
      since: "1h",
      channel: "C0INCIDENTS",
      user: "U0BOB",
      requestedAt: "2026-11-26T10:00:00Z",
    };
    expect(accessRequestOf({ ...base, kind: "diagnose" })).toMatchObject({
      command: "diagnose",
      cluster: "prod",
      service: "payment-api",
    });
    expect(accessRequestOf({ ...base, kind: "diagnose", threadTs: "1.2" }).command).toBe("rerun");
    expect(accessRequestOf({ ...base, kind: "export", via: "slack-command" }).command).toBe("evidence");
    expect(accessRequestOf({ ...base, kind: "export", via: "slack-button" }).command).toBe("export");
  });
});
