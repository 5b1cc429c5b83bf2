// A one-line progress bar with rounds and ETA on stderr (redrawn in place on a TTY,
// one line per finished run otherwise).

/** Formats seconds as 1h02m, 3m05s or 12s. */
export function formatEta(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  const s = Math.round(sec), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  private readonly t0 = Date.now();
  private done = 0;
  private readonly tty: boolean;
  constructor(private readonly totalRounds: number, private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY);
  }

  /** Counts one finished round and redraws. */
  tick(label: string, round: number, rounds: number, acc: number, extra = ''): void {
    this.done++;
    const frac = this.done / this.totalRounds, w = 24, fill = Math.round(frac * w);
    const eta = ((Date.now() - this.t0) / 1000) * (1 / frac - 1);
    const line = `${'█'.repeat(fill)}${'░'.repeat(w - fill)} ${(frac * 100).toFixed(0).padStart(3)}% ETA ${formatEta(eta)} | ${label} round ${round}/${rounds} acc ${acc.toFixed(4)}${extra}`;
    if (this.tty) this.out.write(`\r\x1b[K${line}`);
    else if (round === rounds) this.out.write(line + '\n');
  }

  end(): void { if (this.tty) this.out.write('\n'); }
}
