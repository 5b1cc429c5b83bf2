// Area under the ROC curve of scores against binary labels (Mann–Whitney U with mid-ranks for
// ties): the probability that a random positive scores above a random negative. Pure.

/** AUC of `scores` for `labels` (1 = positive). NaN when one class is absent. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0, rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const mid = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (labels[idx[t]] === 1) { pos++; rankSum += mid; }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
