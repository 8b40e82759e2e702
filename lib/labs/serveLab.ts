import { answerCrdtQuestions, MAX_QUESTIONS, type CrdtAnswer, type CrdtQuestion } from "./crdtQuestions";
import type { DefinitionSpec, StudentScope } from "./labContract";
import { protocolAnswerer, type ProtocolQuestion } from "./protocolSession";
import { LABS } from "./registry";

/**
 * The student side of grading. The grader appends a cell that calls {@link serveLab}; from then on
 * the notebook process only answers: first it hands over the lab's definitions as plain data (the
 * text of a Dedalus program, a JSON value), then — for a CRDT or a protocol written as handlers,
 * which stay here — it answers batches of questions. It decides nothing: the tests, the random inputs and the verdicts live in the
 * grading parent, which validates everything that comes from here.
 */

/** Longest program text or JSON value that crosses to the grader. */
export const MAX_DEFINITION_CHARS = 64 * 1024;

/** The message types of the protocol (the parent ignores any other message from the student process). */
export const LAB_MESSAGE = { definitions: "lab-definitions", ask: "lab-ask", answers: "lab-answers" } as const;

/** One definition as it crosses to the grader. */
export type ServedDefinition =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "data"; readonly json: string }
  | { readonly kind: "crdt"; readonly functions: readonly string[] }
  | { readonly kind: "protocol" }
  | { readonly kind: "missing" }
  | { readonly kind: "invalid"; readonly message: string };

/** Student process to grader. */
export type LabChildMessage =
  | {
      readonly type: typeof LAB_MESSAGE.definitions;
      readonly lab: string;
      readonly definitions: Readonly<Record<string, ServedDefinition>>;
    }
  | { readonly type: typeof LAB_MESSAGE.answers; readonly id: number; readonly answers: readonly CrdtAnswer[] | readonly unknown[] };

/** Grader to student process. */
export type LabParentMessage = {
  readonly type: typeof LAB_MESSAGE.ask;
  readonly id: number;
  readonly name: string;
  readonly questions: readonly CrdtQuestion[] | readonly ProtocolQuestion[];
};

function serve(spec: DefinitionSpec, value: unknown): ServedDefinition {
  if (value === undefined || value === null) return { kind: "missing" };
  if (spec.kind === "text") {
    if (typeof value !== "string") return { kind: "invalid", message: `\`${spec.name}\` must be a string, got ${typeof value}` };
    if (value.length > MAX_DEFINITION_CHARS)
      return { kind: "invalid", message: `\`${spec.name}\` is longer than ${MAX_DEFINITION_CHARS} characters` };
    return { kind: "text", text: value };
  }
  if (spec.kind === "data") {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (e) {
      return { kind: "invalid", message: `\`${spec.name}\` is not plain data: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (json === undefined) return { kind: "invalid", message: `\`${spec.name}\` is not plain data` };
    if (json.length > MAX_DEFINITION_CHARS)
      return { kind: "invalid", message: `\`${spec.name}\` is larger than ${MAX_DEFINITION_CHARS} characters as JSON` };
    return { kind: "data", json };
  }
  if (spec.kind === "protocol")
    return typeof value === "function"
      ? { kind: "protocol" }
      : { kind: "invalid", message: `\`${spec.name}\` must be a function (payload) => defineSimProtocol({...}), got ${typeof value}` };
  if (typeof value !== "object" && typeof value !== "function")
    return { kind: "invalid", message: `\`${spec.name}\` must be an object of functions, got ${typeof value}` };
  const v = value as Record<string, unknown>;
  return {
    kind: "crdt",
    functions: Object.keys(v)
      .filter((k) => typeof v[k] === "function")
      .slice(0, 50),
  };
}

/**
 * Hands the lab's definitions to the grading parent and answers its questions until the parent
 * ends the process. Called by the grader's hidden last cell; outside a grader it does nothing.
 */
export function serveLab(id: string, scope: StudentScope): Promise<void> {
  const lab = LABS[id];
  const send = typeof process !== "undefined" ? process.send?.bind(process) : undefined;
  if (!lab || !send) return Promise.resolve();
  const definitions: Record<string, ServedDefinition> = {};
  for (const spec of lab.definitions) definitions[spec.name] = serve(spec, scope[spec.name]);
  const answerers = new Map<string, ReturnType<typeof protocolAnswerer>>();
  process.on("message", (raw: unknown) => {
    const m = raw as LabParentMessage;
    if (
      typeof m !== "object" ||
      m === null ||
      m.type !== LAB_MESSAGE.ask ||
      !Array.isArray(m.questions) ||
      m.questions.length > MAX_QUESTIONS
    )
      return;
    const spec = lab.definitions.find((d) => d.name === m.name);
    if (spec?.kind === "crdt")
      send({
        type: LAB_MESSAGE.answers,
        id: m.id,
        answers: answerCrdtQuestions(scope[spec.name], spec.crdt, m.questions as readonly CrdtQuestion[]),
      } satisfies LabChildMessage);
    else if (spec?.kind === "protocol") {
      let answer = answerers.get(spec.name);
      if (!answer) answerers.set(spec.name, (answer = protocolAnswerer(scope[spec.name], spec.nodes)));
      send({ type: LAB_MESSAGE.answers, id: m.id, answers: answer(m.questions as readonly ProtocolQuestion[]) } satisfies LabChildMessage);
    }
  });
  send({ type: LAB_MESSAGE.definitions, lab: id, definitions } satisfies LabChildMessage);
  // Never resolves: the parent ends the process when it has asked everything.
  return new Promise<void>(() => undefined);
}
