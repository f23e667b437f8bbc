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
