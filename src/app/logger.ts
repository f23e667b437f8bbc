/** Structured, levelled logging; `detail` is merged into the line (JSON on Lambda, quiet in the CLI). */
export interface Logger {
  debug(message: string, detail?: Record<string, unknown>): void;
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** One JSON object per line (what CloudWatch Logs Insights reads), with `base` fields on every line. */
export function jsonLogger(write: (line: string) => void, base: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (message: string, detail?: Record<string, unknown>): void =>
      write(JSON.stringify({ level, message, ...base, ...detail }));
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
