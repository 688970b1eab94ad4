    SELECT v.*, ("rights"."everything"
            OR "v"."shipper_short_code" = ANY("rights"."shipper_short_code")
            OR "v"."current_supplier" = ANY("rights"."current_supplier")
            OR "v"."mam_short_code" = ANY("rights"."mam_short_code")
            OR "v"."network_name" = ANY("rights"."network_name")
            OR ("v"."shipper_short_code" IS NULL
              AND "v"."last_shipper_short_code" = ANY("rights"."last_shipper_short_code"))
            OR ("v"."shipper_short_code" IS NULL
              AND "v"."interested_shipper_short_code" = ANY("rights"."interested_shipper_short_code"))) IS TRUE AS in_portfolio, ("rights"."everything"
            OR "v"."shipper_short_code" = ANY("rights"."shipper_short_code")
            OR "v"."current_supplier" = ANY("rights"."current_supplier")
            OR "v"."mam_short_code" = ANY("rights"."mam_short_code")
            OR "v"."network_name" = ANY("rights"."network_name")) IS TRUE AS portfolio_fields,
           CASE
      WHEN ("v"."shipper_short_code" IS NULL
              AND "v"."last_shipper_short_code" = ANY("rights"."last_shipper_short_code")) THEN 'shipperless'
      WHEN ("v"."shipper_short_code" IS NULL
              AND "v"."interested_shipper_short_code" = ANY("rights"."interested_shipper_short_code")) THEN 'unregistered' END AS standing,
           to_char(CASE WHEN v.valid_to <= $1::date THEN v.valid_to - 1 ELSE $2::date END,
                   'YYYY-MM-DD') AS shown_as_at
      FROM (
    SELECT coalesce(bool_or(x.field = '*'), false) AS everything,
           array_agg(x.value) FILTER (WHERE x.field = 'shipper_short_code') AS shipper_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'current_supplier') AS current_supplier,
           array_agg(x.value) FILTER (WHERE x.field = 'mam_short_code') AS mam_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'network_name') AS network_name,
           array_agg(x.value) FILTER (WHERE x.field = 'last_shipper_short_code') AS last_shipper_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'interested_shipper_short_code') AS interested_shipper_short_code
      FROM (SELECT r.register_field AS field,
                   CASE WHEN r.register_field = 'network_name' THEN t.network_name ELSE t.short_code END AS value
              FROM published.organisation_tree($3::uuid) t
              JOIN des.portfolio_rules r ON r.organisation_type = t.type
             WHERE t.id = ANY($4::uuid[])) x) rights
      LEFT JOIN LATERAL (
        SELECT v.* FROM des.supply_point_versions v
         WHERE v.mprn = $5 AND "v"."known_to" IS NULL AND v.valid_from <= $6::date
           AND ("rights"."everything"
            OR "v"."shipper_short_code" = ANY("rights"."shipper_short_code")
            OR "v"."current_supplier" = ANY("rights"."current_supplier")
            OR "v"."mam_short_code" = ANY("rights"."mam_short_code")
            OR "v"."network_name" = ANY("rights"."network_name")
            OR ("v"."shipper_short_code" IS NULL
              AND "v"."last_shipper_short_code" = ANY("rights"."last_shipper_short_code"))
            OR ("v"."shipper_short_code" IS NULL
              AND "v"."interested_shipper_short_code" = ANY("rights"."interested_shipper_short_code"))) IS TRUE
         ORDER BY v.valid_from DESC
         LIMIT 1
      ) v ON true
-- parameters: ["2026-03-01","2026-03-01","00000000-0000-4000-8000-000000000009",["00000000-0000-4000-8000-000000000009","00000000-0000-4000-8000-00000000000a"],"741234509","2026-03-01"]
