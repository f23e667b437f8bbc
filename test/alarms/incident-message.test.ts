import { describe, expect, it } from "vitest";
import {
  HEADER_BLOCK_PREFIX,
  incidentHeaderBlocks,
  unmappedIncidentMessage,
  withIncidentHeader,
  type IncidentJob,
} from "../../src/alarms/incident-message";
import { DiagnoseJobSchema } from "../../src/slack/job";
import { violations, type KnownBlock } from "../../src/slack/limits";

const incident: IncidentJob = {
  id: "123456789012#us-east-1#prod#payment-api|alarm#payment-api-cpu-high#1",
  fingerprint: "123456789012#us-east-1#prod#payment-api|alarm#payment-api-cpu-high",
  generation: 1,
  source: "alarm",
  title: "payment-api-cpu-high",
  alarmName: "payment-api-cpu-high",
  metric: "AWS/ECS CPUUtilization AVERAGE",
  threshold: "> 80",
  value: "97.3",
  since: "2026-11-26T10:00:00.123Z",
  link: "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/payment-api-cpu-high",
  mappedBy: "ECS dimensions ClusterName + ServiceName",
};

const section = (i: number): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text: `block ${i}` } });

describe("incident message", () => {
  it("the job contract accepts the incident fields (and stays valid without them)", () => {
    const job = {
      kind: "diagnose",
      jobId: "incident-0123456789abcdef0123456789abcdef-1",
      service: "payment-api",
      cluster: "prod",
      since: "1h",
      channel: "C0INCIDENT",
      user: "CloudWatch alarm",
      requestedAt: "2026-11-26T10:01:00Z",
    };
    expect(DiagnoseJobSchema.parse({ ...job, incident }).incident).toEqual(incident);
    expect(DiagnoseJobSchema.parse(job).incident).toBeUndefined();
  });

  it("names the alarm (name with link, metric, threshold, value, since) and its state", () => {
    const open = JSON.stringify(incidentHeaderBlocks(incident));
    for (const part of [
      "payment-api-cpu-high",
      "CPUUtilization",
      "threshold &gt; 80",
      "value 97.3",
      "firing",
      "alarmsV2",
    ]) {
      expect(open).toContain(part);
    }
    const resolved = JSON.stringify(
      incidentHeaderBlocks(incident, {
        state: "resolved",
        resolvedAt: "2026-11-26T10:25:00Z",
        durationMs: 25 * 60_000,
      }),
    );
    expect(resolved).toContain("resolved");
    expect(resolved).toContain("after 25 min");
    const storm = JSON.stringify(
      incidentHeaderBlocks(
        { ...incident, sharedCause: "image pulls failing from ecr" },
        { state: "open", members: ["prod/web"] },
      ),
    );
    expect(storm).toContain("shared cause: image pulls failing from ecr");
    expect(storm).toContain("prod/web");
  });

  it("puts the header on top of the worker's message, replaces an older header, stays within Slack's limits", () => {
    const report = { text: "payment-api is failing", blocks: Array.from({ length: 50 }, (_, i) => section(i)) };
    const once = withIncidentHeader(report, incident);
    expect(once.blocks[0]!.block_id).toBe(`${HEADER_BLOCK_PREFIX}-head`);
    expect(violations(once)).toEqual([]);
    const twice = withIncidentHeader(once, incident, { state: "resolved" });
    expect(twice.blocks.filter((b) => b.block_id?.startsWith(HEADER_BLOCK_PREFIX))).toHaveLength(2);
    expect(withIncidentHeader(report, undefined)).toBe(report);
  });

  it("the unmapped-alarm post says why there is no diagnosis and how to map it", () => {
    const message = unmappedIncidentMessage(
      { ...incident, title: "ServiceAggregatedAlarm" },
      "composite alarm (no metrics)",
    );
    expect(violations(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toMatch(
      /does not map to an ECS service.*composite alarm.*ecs-medic:service/,
    );
  });
});
