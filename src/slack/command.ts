import { parseTargetQuery } from "../collect/target-query";
import type { Clock } from "../clock";
import { CommandError, EcsMedicError } from "../errors";
import { parseWindow } from "../time-window";

/** What `/ecs …` asked for, validated. */
export type SlashCommand =
  | {
      readonly kind: "diagnose";
      readonly service: string;
      readonly cluster?: string | undefined;
      readonly since: string;
    }
  | {
      /** `/ecs evidence …`: the post-incident bundle, uploaded into a thread. */
      readonly kind: "evidence";
      readonly service: string;
      readonly cluster?: string | undefined;
      readonly since: string;
    }
  | { readonly kind: "help" };

// Lives in the one error hierarchy; re-exported for the Slack wiring that imports it from here.
export { CommandError } from "../errors";

/** Longest command text accepted (Slack allows more; nothing valid is this long). */
const MAX_TEXT = 600;

/**
 * Parses the text after `/ecs`: `diagnose <service> [cluster] [--since 2h]`, `diagnose cluster/service`,
 * `evidence <service> [cluster] [--since 6h]` (same target rules),
 * `--cluster C`, `help`. Names are checked against ECS naming rules and `--since` against the window rules, so a bad
 * request is refused before any job starts.
 */
export function parseSlashCommand(text: string, clock: Clock): SlashCommand {
  const trimmed = text.trim();
  if (trimmed.length > MAX_TEXT)
    throw new CommandError(`that command is ${trimmed.length} characters long; the limit is ${MAX_TEXT}`);
  const tokens = trimmed.split(/\s+/).filter(Boolean);
  const [verb, ...rest] = tokens;
  if (!verb || verb === "help" || verb === "--help" || verb === "-h") return { kind: "help" };
  if (verb !== "diagnose" && verb !== "evidence") throw new CommandError(`unknown command "${clip(verb)}"`);

  const positionals: string[] = [];
  // An export looks further back by default: the review wants what led up to the incident.
  let since = verb === "evidence" ? "6h" : "1h";
  let cluster: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    const [flag, inline] = token.startsWith("--")
      ? (token.split("=", 2) as [string, string | undefined])
      : [token, undefined];
    if (flag === "--since" || flag === "--cluster") {
      const value = inline ?? rest[++i];
      if (!value) throw new CommandError(`${flag} needs a value`);
      if (flag === "--since") since = value;
      else cluster = value;
    } else if (token.startsWith("--")) {
      throw new CommandError(`unknown option "${clip(flag)}"`);
    } else {
      positionals.push(token);
    }
  }
  if (positionals.length === 0) throw new CommandError(`${verb} needs a service name`);
  if (positionals.length > 2)
    throw new CommandError(`${verb} takes a service and an optional cluster, got: ${clip(positionals.join(" "))}`);
  const [service, positionalCluster] = positionals as [string, string | undefined];
  if (cluster && positionalCluster)
    throw new CommandError("give the cluster once: either after the service or with --cluster");
  try {
    const target = parseTargetQuery({ service, cluster: cluster ?? positionalCluster });
    parseWindow(since, clock);
    return { kind: verb, service: target.service, cluster: target.cluster, since };
  } catch (error) {
    if (error instanceof EcsMedicError) throw new CommandError(error.message);
    throw error;
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
