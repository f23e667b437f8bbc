import { describe, expect, it } from "vitest";
import { STEPS } from "../../src/collect/steps";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { STEP_IDS } from "../../src/evidence/schema";
import { CATALOGUE, stepEntry, summarizeStep } from "../../src/steps/catalogue";

describe("the step catalogue", () => {
  it("lists every step id once, the ten numbered in check order, then the supporting steps", () => {
    expect(CATALOGUE.map((e) => e.id)).toEqual([...STEP_IDS]);
    expect(CATALOGUE.map((e) => e.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]);
  });

  it("is what the collectors are built from, in the same order (one title per step, written once)", () => {
    expect(STEPS.map((s) => s.id)).toEqual(CATALOGUE.map((e) => e.id));
    for (const step of STEPS) {
      const entry = stepEntry(step.id);
      expect({ title: step.title, number: step.number, summarize: step.summarize }).toEqual({
        title: entry.title,
        number: entry.number,
        summarize: entry.summarize,
      });
    }
  });

  it("covers the playbook's check order", () => {
    const order = loadPlaybooks().checkOrder.steps.map((s) => s.id);
    expect(order).toEqual(CATALOGUE.map((e) => e.id));
  });

  it("answers undefined, not a throw, when a summary meets data of another shape", () => {
    expect(summarizeStep("subnets", {} as never)).toBeUndefined();
  });

  it("refuses an unknown id", () => {
    expect(() => stepEntry("nope" as never)).toThrow(RangeError);
  });
});
