// Shell completion scripts generated from a program's command table and each command's flags,
// so they never drift from the parser. zsh reuses the bash function through bashcompinit.
import type { CommandDef, Program } from "./command.ts";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

interface Table {
  tops: string[];
  subs: Map<string, string[]>;
  /** full command name → its flags (long names, without --), globals included */
  flags: Map<string, string[]>;
}

async function table<Ctx>(program: Program<Ctx>): Promise<Table> {
  const tops: string[] = [];
  const subs = new Map<string, string[]>();
  const flags = new Map<string, string[]>();
  for (const c of program.commands) {
    const [top, sub] = c.name.split(" ") as [string, string | undefined];
    if (!tops.includes(top)) tops.push(top);
    if (sub) subs.set(top, [...(subs.get(top) ?? []), sub]);
    const def: CommandDef<Ctx> = (await c.load()).default;
    flags.set(c.name, Object.keys({ ...def.flags, ...program.globalFlags }));
  }
  if (!tops.includes("help")) tops.push("help");
  return { tops, subs, flags };
}

const q = (words: string[]) => words.join(" ");

export async function completionScript<Ctx>(program: Program<Ctx>, shell: Shell): Promise<string> {
  const t = await table(program);
  const p = program.name;
  const fn = `_${p.replace(/[^A-Za-z0-9]/g, "_")}_complete`;
  if (shell === "fish") {
    const lines = [`# ${p} completion for fish: ${p} completion fish > ~/.config/fish/completions/${p}.fish`, `complete -c ${p} -f`];
    lines.push(`complete -c ${p} -n '__fish_use_subcommand' -a '${q(t.tops)}'`);
    for (const [top, subs] of t.subs) lines.push(`complete -c ${p} -n '__fish_seen_subcommand_from ${top}; and not __fish_seen_subcommand_from ${q(subs)}' -a '${q(subs)}'`);
    for (const [name, flags] of t.flags) {
      const [top, sub] = name.split(" ");
      const cond = sub ? `__fish_seen_subcommand_from ${top}; and __fish_seen_subcommand_from ${sub}` : `__fish_seen_subcommand_from ${top}`;
      for (const f of flags) lines.push(`complete -c ${p} -n '${cond}' -l ${f}`);
    }
    return lines.join("\n") + "\n";
  }
  const cases: string[] = [];
  for (const [name, flags] of t.flags) cases.push(`    "${name}") words="${q(flags.map((f) => "--" + f))}" ;;`);
  const groups = [...t.subs].map(([top, subs]) => `    ${top}) [ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "${q(subs)}" -- "$cur")); return; } ;;`);
  const bash = [
    `${fn}() {`,
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" words=""`,
    `  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${q(t.tops)}" -- "$cur")); return; fi`,
    `  case "\${COMP_WORDS[1]}" in`,
    ...groups,
    `  esac`,
    `  local name="\${COMP_WORDS[1]}"`,
    `  case "\${COMP_WORDS[1]} \${COMP_WORDS[2]}" in`,
    ...[...t.flags.keys()].filter((n) => n.includes(" ")).map((n) => `    "${n}") name="${n}" ;;`),
    `  esac`,
    `  case "$name" in`,
    ...cases,
    `  esac`,
    `  case "$cur" in -*) COMPREPLY=($(compgen -W "$words" -- "$cur")) ;; *) COMPREPLY=($(compgen -f -- "$cur")) ;; esac`,
    `}`,
    `complete -F ${fn} ${p}`,
  ];
  if (shell === "zsh") return [`# ${p} completion for zsh: source <(${p} completion zsh)`, "autoload -U +X bashcompinit && bashcompinit", ...bash].join("\n") + "\n";
  return [`# ${p} completion for bash: source <(${p} completion bash)`, ...bash].join("\n") + "\n";
}
