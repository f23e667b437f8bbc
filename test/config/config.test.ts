import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, EMPTY_CONFIG, loadConfig, parseConfig } from "../../src/config/config";
import { archivesService, routeChannel } from "../../src/config/routing";

const dir = mkdtempSync(join(tmpdir(), "ecs-medic-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = parseConfig({
  defaultChannel: "#incidents",
  routes: [
    { cluster: "prod", service: "payment-api", channel: "C0PAYMENTS" },
    { tag: { key: "team", value: "search" }, channel: "C0SEARCH" },
    { cluster: "prod", channel: "#prod-incidents" },
  ],
  alarms: [{ alarmPrefix: "checkout-", cluster: "prod", service: "checkout" }],
  stoppedTaskArchive: { ttlDays: 7, clusters: ["prod"] },
});

describe("routing", () => {
  it.each([
    { target: { cluster: "prod", service: "payment-api" }, channel: "C0PAYMENTS", why: /routes\[0\]/ },
    { target: { cluster: "prod", service: "search", tags: { team: "search" } }, channel: "C0SEARCH", why: /tag/ },
    { target: { cluster: "prod", service: "checkout" }, channel: "#prod-incidents", why: /cluster prod/ },
    { target: { cluster: "staging", service: "checkout" }, channel: "#incidents", why: /defaultChannel/ },
  ])("$target.cluster/$target.service → $channel", ({ target, channel, why }) => {
    const choice = routeChannel(config, target, {});
    expect(choice?.channel).toBe(channel);
    expect(choice?.why).toMatch(why);
  });

  it("falls back to ECS_MEDIC_DEFAULT_CHANNEL, and to nothing without it", () => {
    expect(routeChannel(EMPTY_CONFIG, { service: "x" }, { ECS_MEDIC_DEFAULT_CHANNEL: "#ops" })).toEqual({
      channel: "#ops",
      why: "ECS_MEDIC_DEFAULT_CHANNEL",
    });
    expect(routeChannel(EMPTY_CONFIG, { service: "x" }, {})).toBeUndefined();
  });

  it("archives watched services only", () => {
    expect(archivesService(config, "prod", "anything")).toBe(true);
    expect(archivesService(config, "staging", "anything")).toBe(false);
    expect(archivesService(EMPTY_CONFIG, "any", "thing")).toBe(true);
    expect(config.stoppedTaskArchive.ttlDays).toBe(7);
  });
});

describe("config validation names the field", () => {
  it.each([
    {
      raw: { routes: [{ cluster: "prod", channel: "incidents" }] },
      error: /routes\[0\]\.channel: expected a Slack channel/,
    },
    { raw: { routes: [{ channel: "#x" }] }, error: /routes\[0\]: a route needs at least one of cluster, service, tag/ },
    { raw: { alarms: [{ alarm: "a", cluster: "prod" }] }, error: /alarms\[0\]\.service/ },
    { raw: { stoppedTaskArchive: { ttlDays: 0 } }, error: /stoppedTaskArchive\.ttlDays/ },
    { raw: { rutes: [] }, error: /rutes|Unrecognized key/ },
  ])("$error", ({ raw, error }) => {
    expect(() => parseConfig(raw, "test.yaml")).toThrow(ConfigError);
    expect(() => parseConfig(raw, "test.yaml")).toThrow(error);
  });

  it("accepts the reserved actions: and access: sections (added by later issues)", () => {
    expect(() => parseConfig({ actions: { anything: true }, access: [] })).not.toThrow();
  });

  it("loads the file ECS_MEDIC_CONFIG names; YAML errors name the file", () => {
    const good = join(dir, "good.yaml");
    writeFileSync(good, "defaultChannel: '#incidents'\nroutes:\n  - { service: payment-api, channel: C0PAYMENTS }\n");
    expect(loadConfig({ ECS_MEDIC_CONFIG: good }).routes).toHaveLength(1);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "routes: [ { service: x, channel: ");
    expect(() => loadConfig({ ECS_MEDIC_CONFIG: bad })).toThrow(/bad\.yaml: not valid YAML/);
    expect(() => loadConfig({ ECS_MEDIC_CONFIG: join(dir, "missing.yaml") })).toThrow(/cannot read it/);
    expect(loadConfig({})).toEqual(EMPTY_CONFIG);
  });
});
