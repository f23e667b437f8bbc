import { DescribeServicesCommand, ECSClient, ListClustersCommand, ListServicesCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { mapAlarm } from "../../src/alarms/map-service";
import { parseTrigger, type AlarmSignal } from "../../src/alarms/parse";
import { createServiceLookup, type ServiceLookup } from "../../src/alarms/service-lookup";
import { fixedClock } from "../../src/clock";
import { EMPTY_CONFIG, parseConfig } from "../../src/config/config";
import {
  ebAlarmStateChange,
  ebCompositeAlarm,
  snsAlarmMessage,
  snsEvent,
  snsMetricMathMessage,
} from "../fixtures/events";

const TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/payment/0123456789abcdef";
const alarm = (event: unknown) => parseTrigger(event).signals[0] as AlarmSignal;
const noLookup: ServiceLookup = { servicesForTargetGroup: async () => [], alarmTags: async () => ({}) };

describe("mapAlarm", () => {
  it("ECS dimensions ClusterName + ServiceName", async () => {
    const m = await mapAlarm(alarm(ebAlarmStateChange({})), EMPTY_CONFIG, noLookup);
    expect(m.services).toEqual([{ cluster: "prod", service: "payment-api" }]);
    expect(m.mappedBy).toMatch(/ECS dimensions/);
  });

  it("a config alarms: entry overrides the dimensions; then the ecs-medic:service tag", async () => {
    const config = parseConfig({
      alarms: [{ alarm: "payment-api-cpu-high", cluster: "prod", service: "payments-v2" }],
    });
    expect((await mapAlarm(alarm(snsEvent(snsAlarmMessage({}))), config, noLookup)).services).toEqual([
      { cluster: "prod", service: "payments-v2" },
    ]);
    const tagged: ServiceLookup = { ...noLookup, alarmTags: async () => ({ "ecs-medic:service": "blue/payments" }) };
    const m = await mapAlarm(alarm(snsEvent(snsAlarmMessage({}))), EMPTY_CONFIG, tagged);
    expect(m.services).toEqual([{ cluster: "blue", service: "payments" }]);
    expect(m.tags).toEqual({ "ecs-medic:service": "blue/payments" });
  });

  it("an unmappable alarm maps to nothing, saying why (composite, no dimensions)", async () => {
    const composite = await mapAlarm(alarm(ebCompositeAlarm()), EMPTY_CONFIG, noLookup);
    expect(composite.services).toEqual([]);
    expect(composite.mappedBy).toMatch(/composite alarm/);
    const ec2 = await mapAlarm(
      alarm(snsEvent(snsAlarmMessage({ dimensions: [{ name: "InstanceId", value: "i-1" }] }))),
      EMPTY_CONFIG,
      noLookup,
    );
    expect(ec2.mappedBy).toMatch(/no ECS or target-group dimension/);
  });
});

describe("target group → service (ECS lookup, memoised)", () => {
  const ecs = mockClient(ECSClient);
  beforeEach(() => {
    ecs.reset();
    ecs.on(ListClustersCommand).resolves({ clusterArns: ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"] });
    ecs.on(ListServicesCommand).resolves({
      serviceArns: [
        "arn:aws:ecs:us-east-1:123456789012:service/prod/payment-api",
        "arn:aws:ecs:us-east-1:123456789012:service/prod/checkout",
      ],
    });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: "payment-api",
          clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
          loadBalancers: [{ targetGroupArn: TG_ARN, containerName: "app", containerPort: 8080 }],
        },
        { serviceName: "checkout", clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", loadBalancers: [] },
      ],
    });
  });

  it("maps a metric-math ALB alarm through the target group, scanning the clusters once", async () => {
    const lookup = createServiceLookup({ ecs: new ECSClient({}), clock: fixedClock("2026-11-26T10:00:00Z") });
    const signal = alarm(snsEvent(snsMetricMathMessage("targetgroup/payment/0123456789abcdef", "app/prod/1")));
    const first = await mapAlarm(signal, EMPTY_CONFIG, lookup);
    expect(first.services).toEqual([{ cluster: "prod", service: "payment-api" }]);
    expect(first.mappedBy).toMatch(/target group targetgroup\/payment/);
    await mapAlarm(signal, EMPTY_CONFIG, lookup);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    // An unknown group: one rescan at most a minute, then "no service uses it".
    const unknown = await lookup.servicesForTargetGroup("targetgroup/other/fedcba9876543210");
    expect(unknown).toEqual([]);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });
});
