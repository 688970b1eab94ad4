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
