/** The files the live build embeds (lessons/live/build.ts generates this module): path → text. */
declare module "maze-embedded-files" {
  export const EMBEDDED_FILES: Readonly<Record<string, string>>;
}
