    WITH c AS MATERIALIZED (
      SELECT v.*, (concat_ws(chr(31), lower(coalesce("v"."sub_building_name", '')), lower(coalesce("v"."house_name", '')),
    lpad(coalesce(substring("v"."house_no" from '^[0-9]{1,10}'), ''), 10, '0'), lower(coalesce("v"."house_no", '')),
    lower(coalesce("v"."delivery_point_alias", '')), lower(coalesce("v"."dependent_street", '')), lower(coalesce("v"."street", '')), lower(coalesce("v"."dependent_local", '')),
    lower(coalesce("v"."town", '')), lower(coalesce("v"."county", '')), "v"."mprn") COLLATE "C") AS sort_key FROM des.supply_point_versions v
       WHERE "v"."known_to" IS NULL AND "v"."valid_from" <= $1::date AND ("v"."valid_to" IS NULL OR "v"."valid_to" > $2::date) AND (v.mprn = ANY($3::text[]))
    )
    SELECT c.*, ("rights"."everything"
            OR "c"."shipper_short_code" = ANY("rights"."shipper_short_code")
            OR "c"."current_supplier" = ANY("rights"."current_supplier")
            OR "c"."mam_short_code" = ANY("rights"."mam_short_code")
            OR "c"."network_name" = ANY("rights"."network_name")
            OR ("c"."shipper_short_code" IS NULL
              AND "c"."last_shipper_short_code" = ANY("rights"."last_shipper_short_code"))
            OR ("c"."shipper_short_code" IS NULL
              AND "c"."interested_shipper_short_code" = ANY("rights"."interested_shipper_short_code"))) IS TRUE AS in_portfolio, ("rights"."everything"
            OR "c"."shipper_short_code" = ANY("rights"."shipper_short_code")
            OR "c"."current_supplier" = ANY("rights"."current_supplier")
            OR "c"."mam_short_code" = ANY("rights"."mam_short_code")
            OR "c"."network_name" = ANY("rights"."network_name")) IS TRUE AS portfolio_fields,
           CASE
      WHEN ("c"."shipper_short_code" IS NULL
              AND "c"."last_shipper_short_code" = ANY("rights"."last_shipper_short_code")) THEN 'shipperless'
      WHEN ("c"."shipper_short_code" IS NULL
              AND "c"."interested_shipper_short_code" = ANY("rights"."interested_shipper_short_code")) THEN 'unregistered' END AS standing
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
              FROM published.organisation_tree($4::uuid) t
              JOIN des.portfolio_rules r ON r.organisation_type = t.type
             WHERE t.id = ANY($5::uuid[])) x) rights CROSS JOIN c
     WHERE ("rights"."everything"
            OR "c"."shipper_short_code" = ANY("rights"."shipper_short_code")
            OR "c"."current_supplier" = ANY("rights"."current_supplier")
            OR "c"."mam_short_code" = ANY("rights"."mam_short_code")
            OR "c"."network_name" = ANY("rights"."network_name")
            OR ("c"."shipper_short_code" IS NULL
              AND "c"."last_shipper_short_code" = ANY("rights"."last_shipper_short_code"))
            OR ("c"."shipper_short_code" IS NULL
              AND "c"."interested_shipper_short_code" = ANY("rights"."interested_shipper_short_code"))) IS TRUE
     ORDER BY c.sort_key
-- parameters: ["2026-03-01","2026-03-01",["741234509","1234567890"],"00000000-0000-4000-8000-000000000009",["00000000-0000-4000-8000-000000000009","00000000-0000-4000-8000-00000000000a"]]
