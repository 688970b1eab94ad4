/** The Xoserve DES display order of address parts (register-reference §3.4). */
export function addressLine(f: Readonly<Record<string, string | null | undefined>>): string | null {
  const alias = f['delivery_point_alias'] ? `(${f['delivery_point_alias']})` : null;
  const parts = [
    f['sub_building_name'],
    f['house_name'],
    f['house_no'],
    alias,
    f['dependent_street'],
    f['street'],
    f['dependent_local'],
    f['town'],
    f['county'],
    f['postcode'],
  ].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(', ') : null;
}

/**
 * The address as a person writes it, for pages: the number in front of its street ("120 High Way"), the delivery
 * point alias in brackets after the premises ("120 High Way (The Bakery)"), then locality, town, county and
 * postcode, comma-separated; with no premises or number the alias comes first, unbracketed. The API keeps `addressLine` (the DES display order).
 */
export function readableAddress(f: Readonly<Record<string, string | null | undefined>>): string | null {
  const has = (k: string): string | null => {
    const v = f[k]?.trim();
    return v ? v : null;
  };
  const premises = [has('sub_building_name'), has('house_name')].filter((p): p is string => p !== null);
  const streets = [has('dependent_street'), has('street')].filter((p): p is string => p !== null);
  const number = has('house_no');
  // The part the alias belongs to: the one holding the number, else the last premises part.
  let withNumber: string[] = premises;
  if (number !== null) {
    if (streets.length > 0) {
      streets[0] = `${number} ${streets[0]!}`;
      withNumber = streets;
    } else premises.push(number);
  }
  const head = [...premises, ...streets];
  const alias = has('delivery_point_alias');
  if (alias !== null) {
    const at = withNumber === streets && number !== null ? premises.length : premises.length - 1;
    if (at >= 0 && at < head.length) head[at] = `${head[at]!} (${alias})`;
    else head.unshift(alias); // no premises or number: the alias names the place
  }
  const parts = [...head, has('dependent_local'), has('town'), has('county'), has('postcode')].filter(
    (p): p is string => p !== null,
  );
  return parts.length > 0 ? parts.join(', ') : null;
}
