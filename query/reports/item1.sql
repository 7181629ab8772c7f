-- Item 1 of decree 997: gifted children of the target groups, by region, then the
-- national total. `rural_gifted` counts current children in rural areas;
-- `urban_large_or_low_income_gifted` counts current urban children from a large or
-- low-income family. Every region is listed, with zeros.
-- The two groups are those of the `target_groups` view, counted from `children`'s
-- columns directly: building and grouping on the view's text label per child took
-- about a fifth of this report's time.
-- With {{year}}, only the children identified by the end of that year (the annual
-- report's item 1).
-- Parameters: {{region}} (two-digit code or NULL), {{year}} (a year or NULL), {{lang}}
-- (kk, ru or en).
WITH counts AS (
    SELECT region,
           count(*) FILTER (WHERE area_type = 'rural') AS rural_gifted,
           count(*) FILTER (WHERE (area_type IS DISTINCT FROM 'rural') AND (large_family OR low_income))
               AS urban_large_or_low_income_gifted
    FROM children
    WHERE ({{region}} IS NULL OR region = {{region}})
      AND ({{year}} IS NULL OR date_part('year', identified_on) <= {{year}})
    GROUP BY region
)
-- The national total is the empty grouping set of the same grouping, so `children` is
-- read once (a second CTE reference would read and group it again).
SELECT r.region_kato,
       CASE WHEN grouping(r.region_kato) = 1 THEN 'total' ELSE r.name_{{lang}} END AS region_name,
       CAST(coalesce(sum(c.rural_gifted), 0) AS BIGINT) AS rural_gifted,
       CAST(coalesce(sum(c.urban_large_or_low_income_gifted), 0) AS BIGINT) AS urban_large_or_low_income_gifted,
       CAST(coalesce(sum(c.rural_gifted + c.urban_large_or_low_income_gifted), 0) AS BIGINT) AS total
FROM regions r
LEFT JOIN counts c ON c.region = r.region
WHERE {{region}} IS NULL OR r.region = {{region}}
GROUP BY GROUPING SETS ((r.region_kato, r.name_{{lang}}), ())
ORDER BY grouping(r.region_kato), r.region_kato
