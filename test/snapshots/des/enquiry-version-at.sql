    SELECT v.* FROM des.supply_point_versions v
     WHERE v.mprn = $1 AND "v"."known_to" IS NULL AND "v"."valid_from" <= $2::date AND ("v"."valid_to" IS NULL OR "v"."valid_to" > $3::date)
-- parameters: ["741234509","2026-03-01","2026-03-01"]
