// BFLC attack-success probability (002 §III "Security analysis", Fig. 3): A nodes, a share q
// malicious, a committee of A·p drawn without replacement; the attack succeeds when the
// malicious nodes hold more than half the seats — a hypergeometric tail.

/** ln(n!) by summation (exact enough for n ≤ 1e6; cached prefix table). */
const lnFact: number[] = [0];
function logFactorial(n: number): number {
  for (let i = lnFact.length; i <= n; i++) lnFact[i] = lnFact[i - 1] + Math.log(i);
  return lnFact[n];
}
const lnChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

/** P(X > seats/2) for X ~ Hypergeometric(population, malicious, seats): the chance that a
 *  committee of `seats` drawn uniformly from `population` nodes, `malicious` of them
 *  colluding, has a malicious majority. Throws RangeError on inconsistent sizes.
 *  @example attackProbability(1000, 400, 100) // ≈ 0.02 (002 Fig. 3, q = 0.4, p = 0.1) */
export function attackProbability(population: number, malicious: number, seats: number): number {
  for (const [k, v] of Object.entries({ population, malicious, seats })) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${k} must be a non-negative integer`);
  }
  if (malicious > population || seats > population || seats === 0) throw new RangeError('need 0 < seats ≤ population and malicious ≤ population');
  const lnTotal = lnChoose(population, seats);
  let p = 0;
  for (let x = Math.floor(seats / 2) + 1; x <= Math.min(seats, malicious); x++) {
    if (seats - x > population - malicious) continue;
    p += Math.exp(lnChoose(malicious, x) + lnChoose(population - malicious, seats - x) - lnTotal);
  }
  return Math.min(1, p);
}

/** The same probability with the paper's parameters: A nodes, malicious share q, committee share p. */
export function attackProbabilityShares(A: number, q: number, p: number): number {
  return attackProbability(A, Math.round(A * q), Math.max(1, Math.round(A * p)));
}
