import { describe, expect, it } from "vitest";
import { collectPages } from "../../src/aws/aws-call";

interface Page {
  readonly Items?: number[];
}

/** A paginator that counts the pages it was asked for (each is one request in the SDK). */
function pages(list: Page[]): AsyncIterable<Page> & { requested: number } {
  const paginator = {
    requested: 0,
    async *[Symbol.asyncIterator]() {
      for (const page of list) {
        paginator.requested += 1;
        yield page;
      }
    },
  };
  return paginator;
}

describe("collectPages", () => {
  it.each([
    {
      case: "every page, empty and absent ones included",
      list: [{ Items: [1, 2] }, {}, { Items: [] }, { Items: [3] }],
      bounds: {},
      items: [1, 2, 3],
      truncated: false,
      requested: 4,
    },
    {
      case: "the page bound",
      list: Array.from({ length: 8 }, (): Page => ({ Items: [] })),
      bounds: { maxPages: 5 },
      items: [],
      truncated: true,
      requested: 5,
    },
    {
      case: "the item bound inside a page",
      list: [{ Items: [1, 2, 3] }, { Items: [4] }],
      bounds: { maxItems: 2 },
      items: [1, 2],
      truncated: true,
      requested: 1,
    },
    {
      case: "the item bound at a page end, with nothing after",
      list: [{ Items: [1, 2] }],
      bounds: { maxItems: 2 },
      items: [1, 2],
      truncated: false,
      requested: 1,
    },
    {
      case: "the item bound at a page end, with more after",
      list: [{ Items: [1, 2] }, { Items: [3] }],
      bounds: { maxItems: 2 },
      items: [1, 2],
      truncated: true,
      requested: 2,
    },
  ])("reads $case", async ({ list, bounds, items, truncated, requested }) => {
    const paginator = pages(list);

    const result = await collectPages(paginator, (p) => p.Items, bounds);

    expect(result).toEqual({ items, truncated });
    expect(paginator.requested).toBe(requested);
  });
});
