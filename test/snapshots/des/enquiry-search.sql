    WITH c AS MATERIALIZED (
      SELECT v.*, (concat_ws(chr(31), lower(coalesce("v"."sub_building_name", '')), lower(coalesce("v"."house_name", '')),
    lpad(coalesce(substring("v"."house_no" from '^[0-9]{1,10}'), ''), 10, '0'), lower(coalesce("v"."house_no", '')),
    lower(coalesce("v"."delivery_point_alias", '')), lower(coalesce("v"."dependent_street", '')), lower(coalesce("v"."street", '')), lower(coalesce("v"."dependent_local", '')),
    lower(coalesce("v"."town", '')), lower(coalesce("v"."county", '')), "v"."mprn") COLLATE "C") AS sort_key FROM des.supply_point_versions v
       WHERE "v"."known_to" IS NULL AND "v"."valid_from" <= $1::date AND ("v"."valid_to" IS NULL OR "v"."valid_to" > $2::date) AND ("v"."postcode" = $3 AND lower("v"."house_no") = lower($4) AND "v"."street" ILIKE $5)
    ), p AS MATERIALIZED (
    WITH party AS (
      SELECT r.register_field AS field,
             CASE WHEN r.register_field = 'network_name' THEN t.network_name ELSE t.short_code END AS value
        FROM published.organisation_tree($6::uuid) t
        JOIN des.portfolio_rules r ON r.organisation_type = t.type
    )
    SELECT v.mprn FROM des.supply_point_versions v
     WHERE "v"."known_to" IS NULL
       AND "v"."valid_from" <= $7::date AND ("v"."valid_to" IS NULL OR "v"."valid_to" > $8::date)
       AND v.mprn IN (SELECT c.mprn FROM c)
       AND (EXISTS (SELECT 1 FROM party WHERE field = '*')
            OR v.shipper_short_code IN (SELECT value FROM party WHERE field = 'shipper_short_code')
            OR v.current_supplier IN (SELECT value FROM party WHERE field = 'current_supplier')
            OR v.mam_short_code IN (SELECT value FROM party WHERE field = 'mam_short_code')
            OR v.network_name IN (SELECT value FROM party WHERE field = 'network_name'))
     ORDER BY v.mprn
     )
    SELECT c.*, EXISTS (SELECT 1 FROM p WHERE p.mprn = c.mprn) AS in_portfolio FROM c
     WHERE c.mprn IN (SELECT p.mprn FROM p)
       AND c.sort_key > $9
     ORDER BY c.sort_key
     LIMIT $10
-- parameters: ["2026-03-01","2026-03-01","B91 1AA","12a","%50\\%\\_off%","00000000-0000-4000-8000-000000000009","2026-03-01","2026-03-01","key",21]
