import { AwsCallError } from "../errors";

/**
 * Runs one AWS call (or one paginated loop) and tags its failure with the IAM-style operation name,
 * e.g. `awsCall("ec2:DescribeSubnets", () => ec2.send(new DescribeSubnetsCommand(...)))`.
 * The name is what a person must grant when the error is AccessDenied.
 */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AwsCallError) throw error;
    throw new AwsCallError(operation, { cause: error });
  }
}

/** Splits `items` into chunks of at most `size` (DescribeTasks takes 100 ARNs, DescribeServices 10). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Bounds for `collectPages`; either may be left out. */
export interface PageBounds {
  /** Pages read at most: AWS list APIs may answer empty pages that still carry a token. */
  readonly maxPages?: number;
  /** Items kept at most. */
  readonly maxItems?: number;
}

/**
 * Reads an SDK paginator's pages into one list, within `bounds`. `truncated` is true when an item beyond
 * `maxItems` was seen, or when `maxPages` pages were read (more may have followed). Call it inside `awsCall` so
 * a failure names the operation.
 *
 * @example
 * const { items } = await collectPages(paginateDescribeSubnets({ client }, { SubnetIds }), (p) => p.Subnets, { maxPages: 5 });
 */
export async function collectPages<P, T>(
  pages: AsyncIterable<P>,
  itemsOf: (page: P) => readonly T[] | undefined,
  bounds: PageBounds = {},
): Promise<{ items: T[]; truncated: boolean }> {
  const { maxPages = Infinity, maxItems = Infinity } = bounds;
  const items: T[] = [];
  let read = 0;
  for await (const page of pages) {
    for (const item of itemsOf(page) ?? []) {
      if (items.length >= maxItems) return { items, truncated: true };
      items.push(item);
    }
    if (++read >= maxPages) return { items, truncated: true };
  }
  return { items, truncated: false };
}
