import { lastSegment } from "../aws/arn";

/**
 * Fills `{name}` placeholders in rule text. Values come from the evidence (service, roles, ports …) and from the
 * rule's named regex groups. A placeholder with no value becomes a readable stand-in, never an empty hole.
 */
export type TemplateVars = Readonly<Record<string, string | undefined>>;

const STAND_IN: Record<string, string> = {
  executionRole: "the execution role",
  taskRole: "the task role",
  previousTaskDefinition: "the last revision that completed a rollout",
  taskDefinition: "the task definition",
  secretArn: "the secret",
  secret: "a secret",
  image: "the image",
  container: "the container",
  subnets: "the service's subnets",
  targetGroup: "the target group",
  healthCheckPath: "the health-check path",
  healthCheckPort: "the health-check port",
  containerPort: "the container port",
  matcher: "the success codes",
  memory: "its memory limit",
  action: "the denied action",
  deniedPrincipal: "the caller",
  dependency: "a database, cache or service it needs",
  script: "the entry-point script",
  variable: "a variable",
  exitCode: "a non-zero code",
  region: "the region",
};

export function fill(template: string, vars: TemplateVars): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (_, name: string) => vars[name] ?? STAND_IN[name] ?? name);
}

/** The last path segment of an ARN or name: `…:role/payment-api-execution` → `payment-api-execution`. */
export function shortName(arnOrName: string | undefined): string | undefined {
  return arnOrName ? lastSegment(arnOrName) : undefined;
}

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-api:v1.43` → `payment-api:v1.43` (digests cut to 12). */
export function shortImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const name = image.split("/").pop() ?? image;
  return name.replace(/@sha256:([0-9a-f]{12})[0-9a-f]*/, "@sha256:$1");
}
