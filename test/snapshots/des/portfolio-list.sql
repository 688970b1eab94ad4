    WITH party AS (
      SELECT r.register_field AS field,
             CASE WHEN r.register_field = 'network_name' THEN t.network_name ELSE t.short_code END AS value
        FROM published.organisation_tree($1::uuid) t
        JOIN des.portfolio_rules r ON r.organisation_type = t.type
    )
    SELECT v.mprn FROM des.supply_point_versions v
     WHERE "v"."known_to" IS NULL
       AND "v"."valid_from" <= $2::date AND ("v"."valid_to" IS NULL OR "v"."valid_to" > $3::date)
       AND v.mprn > $4
       AND (EXISTS (SELECT 1 FROM party WHERE field = '*')
            OR v.shipper_short_code IN (SELECT value FROM party WHERE field = 'shipper_short_code')
            OR v.current_supplier IN (SELECT value FROM party WHERE field = 'current_supplier')
            OR v.mam_short_code IN (SELECT value FROM party WHERE field = 'mam_short_code')
            OR v.network_name IN (SELECT value FROM party WHERE field = 'network_name'))
     ORDER BY v.mprn
     LIMIT $5
-- parameters: ["00000000-0000-4000-8000-000000000009","2026-03-01","2026-03-01","7412345609",1000]
