import { describe, expect, it } from "vitest";
import { parseTrigger, type AlarmSignal, type EcsServiceSignal, type TaskStoppedSignal } from "../../src/alarms/parse";
import {
  ebAlarmStateChange,
  ebCompositeAlarm,
  ebMetricMathAlarm,
  ecsDeploymentEvent,
  ecsServiceAction,
  ecsTaskStopped,
  snsAlarmMessage,
  snsEvent,
  snsMetricMathMessage,
} from "../fixtures/events";

const one = <T>(event: unknown): T => {
  const out = parseTrigger(event);
  expect(out.rejected).toEqual([]);
  expect(out.signals).toHaveLength(1);
  return out.signals[0] as T;
};

describe("parseTrigger: documented payloads", () => {
  it("SNS alarm notification: JSON inside JSON, Dimensions as a list, region from the ARN, value from the reason", () => {
    const s = one<AlarmSignal>(snsEvent(snsAlarmMessage({})));
    expect(s).toMatchObject({
      kind: "alarm",
      via: "sns",
      deliveryId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
      account: "123456789012",
      region: "us-east-1",
      alarmName: "payment-api-cpu-high",
      state: "ALARM",
      previousState: "OK",
      changedAt: "2026-11-26T10:00:00.123Z",
      composite: false,
      threshold: 80,
      comparison: "GreaterThanThreshold",
      value: 97.3,
    });
    expect(s.metrics).toEqual([
      expect.objectContaining({
        namespace: "AWS/ECS",
        name: "CPUUtilization",
        dimensions: { ClusterName: "prod", ServiceName: "payment-api" },
      }),
    ]);
  });

  it("SNS metric-math alarm: Trigger.Metrics[] with MetricStat dimensions", () => {
    const s = one<AlarmSignal>(snsEvent(snsMetricMathMessage("targetgroup/payment/0123456789abcdef", "app/prod/1")));
    expect(s.metrics).toHaveLength(3);
    expect(s.metrics[0]).toMatchObject({ id: "e1", expression: "100*m1/m2", returnData: true });
    expect(s.metrics[1]!.dimensions).toEqual({
      TargetGroup: "targetgroup/payment/0123456789abcdef",
      LoadBalancer: "app/prod/1",
    });
  });

  it.each([
    ["OK", "OK"],
    ["INSUFFICIENT_DATA", "INSUFFICIENT_DATA"],
  ] as const)("SNS %s state", (state, expected) => {
    expect(one<AlarmSignal>(snsEvent(snsAlarmMessage({ state }))).state).toBe(expected);
  });

  it("EventBridge single-metric alarm: dimensions as a map, value and threshold from reasonData", () => {
    const s = one<AlarmSignal>(ebAlarmStateChange({}));
    expect(s).toMatchObject({
      via: "eventbridge",
      deliveryId: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
      region: "us-east-1",
      state: "ALARM",
      previousState: "OK",
      changedAt: "2026-11-26T10:00:00.989Z",
      value: 97.3,
      threshold: 80,
      composite: false,
    });
    expect(s.metrics[0]!.dimensions).toEqual({ ClusterName: "prod", ServiceName: "payment-api" });
  });

  it("EventBridge metric-math alarm: several metrics, previousState without reasonData", () => {
    const s = one<AlarmSignal>(ebMetricMathAlarm());
    expect(s.metrics.map((m) => m.id)).toEqual(["e1", "m1"]);
    expect(s.previousState).toBe("INSUFFICIENT_DATA");
    expect(s.value).toBe(95);
  });

  it("EventBridge composite alarm: alarmRule, no metrics", () => {
    const s = one<AlarmSignal>(ebCompositeAlarm());
    expect(s).toMatchObject({ composite: true, alarmRule: expect.stringContaining("ALARM("), metrics: [] });
  });

  it("ECS Deployment State Change FAILED: cluster and service from the service ARN", () => {
    const s = one<EcsServiceSignal>(ecsDeploymentEvent({}));
    expect(s).toMatchObject({
      kind: "ecs-service",
      eventType: "ERROR",
      eventName: "SERVICE_DEPLOYMENT_FAILED",
      cluster: "prod",
      service: "payment-api",
      reason: "ECS deployment circuit breaker: task failed to start.",
      at: "2026-11-26T10:00:00.000Z",
    });
  });

  it("ECS Service Action ERROR and WARN", () => {
    expect(one<EcsServiceSignal>(ecsServiceAction({}))).toMatchObject({
      eventType: "ERROR",
      eventName: "SERVICE_TASK_PLACEMENT_FAILURE",
      reason: "RESOURCE:FARGATE",
      capacityProviderArns: [expect.stringContaining("FARGATE_SPOT")],
    });
    expect(one<EcsServiceSignal>(ecsServiceAction({ eventType: "WARN" }))).toMatchObject({
      eventType: "WARN",
      eventName: "SERVICE_TASK_START_IMPAIRED",
    });
  });

  it("ECS Task State Change STOPPED: subnet from the ENI attachment, containers' exit codes and digests", () => {
    const s = one<TaskStoppedSignal>(ecsTaskStopped({}));
    expect(s).toMatchObject({
      kind: "task-stopped",
      service: "payment-api",
      subnetId: "subnet-0a1b2c3d",
      availabilityZone: "us-east-1a",
      stopCode: "EssentialContainerExited",
      stoppedAt: "2026-11-26T02:10:00.103Z",
      version: 5,
    });
    expect(s.containers[0]).toMatchObject({ exitCode: 137, imageDigest: expect.stringMatching(/^sha256:/) });
  });

  it("ECS Task State Change that is not STOPPED is ignored, not rejected", () => {
    const out = parseTrigger(ecsTaskStopped({ lastStatus: "RUNNING" }));
    expect(out.signals).toEqual([]);
    expect(out.rejected).toEqual([]);
    expect(out.ignored[0]!.why).toMatch(/RUNNING/);
  });
});

describe("parseTrigger: malformed and truncated payloads are rejected with the field, never thrown", () => {
  const truncated = JSON.stringify(snsAlarmMessage({})).slice(0, 120);
  const noState = { ...snsAlarmMessage({}), NewStateValue: undefined };
  const badState = ebAlarmStateChange({});
  (badState.detail as { state: { value: string } }).state.value = "PANIC";
  const noDetail = { ...ebAlarmStateChange({}), detail: undefined };
  const noService = { ...ecsDeploymentEvent({}), resources: [] };
  it.each([
    { case: "nothing", event: undefined, where: "(payload)" },
    { case: "a string", event: "ALARM", where: "(payload)" },
    { case: "truncated SNS Message", event: snsEvent(truncated), where: "Records.0.Sns.Message" },
    {
      case: "SNS Message without NewStateValue",
      event: snsEvent(noState),
      where: "Records.0.Sns.Message.NewStateValue",
    },
    { case: "SNS record without Sns", event: { Records: [{ EventSource: "aws:sns" }] }, where: "Records.0.Sns" },
    { case: "unknown alarm state", event: badState, where: "detail.state.value" },
    { case: "EventBridge without detail", event: noDetail, where: "detail" },
    { case: "ECS event without a service ARN", event: noService, where: "resources" },
    { case: "EventBridge envelope without time", event: { ...ecsServiceAction({}), time: undefined }, where: "time" },
  ])("$case", ({ event, where }) => {
    const out = parseTrigger(event);
    expect(out.signals).toEqual([]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.where).toBe(where);
  });

  it("an event type it does not handle is ignored", () => {
    const out = parseTrigger({ ...ecsServiceAction({}), "detail-type": "ECS Container Instance State Change" });
    expect(out.signals).toEqual([]);
    expect(out.rejected).toEqual([]);
    expect(out.ignored).toHaveLength(1);
  });
});
