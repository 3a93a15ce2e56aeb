/**
 * Hourly prices per instance type, in whatever currency the caller uses (USD for AWS list prices), for the region
 * the driver serves. NovaCron ships no prices: AWS changes them and the Price List API needs its own credentials and
 * a large download, so callers supply the figures they trust.
 *
 * @example
 * const prices: AwsPriceTable = { 't3.micro': 0.0104, 'm5.large': 0.096 };
 */
export type AwsPriceTable = Readonly<Record<string, number>>;

/**
 * The price per hour of `instanceType` in `table`, or undefined when the table is absent or lacks the type.
 *
 * @example
 * priceFor({ 't3.micro': 0.0104 }, 't3.micro'); // 0.0104
 */
export function priceFor(table: AwsPriceTable | undefined, instanceType: string): number | undefined {
  const price = table?.[instanceType];
  return typeof price === 'number' && Number.isFinite(price) && price >= 0 ? price : undefined;
}
