    SELECT v.mprn FROM (
    SELECT coalesce(bool_or(x.field = '*'), false) AS everything,
           array_agg(x.value) FILTER (WHERE x.field = 'shipper_short_code') AS shipper_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'current_supplier') AS current_supplier,
           array_agg(x.value) FILTER (WHERE x.field = 'mam_short_code') AS mam_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'network_name') AS network_name,
           array_agg(x.value) FILTER (WHERE x.field = 'last_shipper_short_code') AS last_shipper_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'interested_shipper_short_code') AS interested_shipper_short_code
      FROM (SELECT r.register_field AS field,
                   CASE WHEN r.register_field = 'network_name' THEN t.network_name ELSE t.short_code END AS value
              FROM published.organisation_tree($1::uuid) t
              JOIN des.portfolio_rules r ON r.organisation_type = t.type
             WHERE t.id = ANY($2::uuid[])) x) rights
      JOIN des.supply_point_versions v ON ("rights"."everything"
            OR "v"."shipper_short_code" = ANY("rights"."shipper_short_code")
            OR "v"."current_supplier" = ANY("rights"."current_supplier")
            OR "v"."mam_short_code" = ANY("rights"."mam_short_code")
            OR "v"."network_name" = ANY("rights"."network_name")
            OR ("v"."shipper_short_code" IS NULL
              AND "v"."last_shipper_short_code" = ANY("rights"."last_shipper_short_code"))
            OR ("v"."shipper_short_code" IS NULL
              AND "v"."interested_shipper_short_code" = ANY("rights"."interested_shipper_short_code"))) IS TRUE
     WHERE "v"."known_to" IS NULL
       AND "v"."valid_from" <= $3::date AND ("v"."valid_to" IS NULL OR "v"."valid_to" > $4::date)
       AND v.mprn = $5
     ORDER BY v.mprn
-- parameters: ["00000000-0000-4000-8000-000000000009",["00000000-0000-4000-8000-000000000009","00000000-0000-4000-8000-00000000000a"],"2026-03-01","2026-03-01","741234509"]
