/** Written into every snapshot so a replay knows which collector produced it. Keep in step with package.json. */
export const TOOL_VERSION = "0.1.0";
