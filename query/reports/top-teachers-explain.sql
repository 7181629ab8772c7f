-- The achievements behind one teacher's item 15 score (`daryn report top-teachers
-- --explain TEACHER_ID`): the same rules as top-teachers.sql, one row per achievement.
-- Parameters: {{teacher}} (the teacher's id), {{region}} (two-digit code or NULL),
-- {{year}} (a year or NULL).
WITH taught AS (
    SELECT a.region, a.iin, a.event_name, a.event_kind, a.discipline, a.event_date, a.level, a.result,
           unnest(a.teacher_ids) AS teacher_id
    FROM achievements a
    WHERE a.level IN ('republican', 'international')
      AND ({{region}} IS NULL OR a.region = {{region}})
      AND ({{year}} IS NULL OR date_part('year', a.event_date) = {{year}})
),
prepared AS (
    SELECT DISTINCT x.region, x.iin, x.event_name, x.event_kind, x.discipline, x.event_date, x.level, x.result,
           x.teacher_id, w.weight
    FROM taught x
    JOIN achievement_weights w ON w.level = x.level AND w.result = x.result
    JOIN target_groups t ON t.region = x.region AND t.iin = x.iin
    WHERE w.weight > 0
)
SELECT r.region_kato, p.iin, p.event_name, p.event_kind, p.discipline, p.event_date, p.level, p.result, p.weight
FROM prepared p
JOIN regions r ON r.region = p.region
WHERE p.teacher_id = {{teacher}}
ORDER BY p.weight DESC, p.event_date, p.iin, p.event_name
