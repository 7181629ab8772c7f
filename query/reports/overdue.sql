-- Measures past their `planned_end` on the registry date that are neither done nor
-- cancelled, by region and coordinator (the coordinator who keeps the child's roadmap).
-- Parameters: {{region}} (two-digit code or NULL).
SELECT c.region_kato,
       c.coordinator,
       count(*) AS overdue_measures,
       count(DISTINCT CAST(m.iin AS BIGINT)) AS children,
       min(m.planned_end) AS oldest_planned_end
FROM measures m
CROSS JOIN registry_version v
JOIN children c ON c.region = m.region AND c.iin = m.iin
WHERE m.planned_end < v.registry_date
  AND m.status NOT IN ('done', 'cancelled')
  AND ({{region}} IS NULL OR m.region = {{region}})
GROUP BY c.region_kato, c.coordinator
ORDER BY c.region_kato, overdue_measures DESC, c.coordinator
