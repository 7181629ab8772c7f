-- Item 15: the teachers who prepared the most successful children. A teacher's score is
-- the sum, over the republican and international achievements of current target-group
-- children whom the teacher prepared (`teacher_ids`), of the weight of the achievement's
-- level and result (`achievement_weights`, from the configuration). `achievements`
-- counts the achievements that add to the score: an achievement is its child, event,
-- kind, discipline, date, level and result, so a row pasted twice counts once and two
-- disciplines won at one event count twice. Ties go to the lower `teacher_id`.
-- The teacher's name and region come from the `teachers` table of the child's region.
-- With {{year}}, only the achievements of that year (the annual report's item 15).
-- Parameters: {{region}} (two-digit code or NULL), {{year}} (a year or NULL), {{limit}}
-- (how many teachers).
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
),
scores AS (
    SELECT teacher_id, min(region) AS region, sum(weight) AS score, count(*) AS achievements
    FROM prepared
    GROUP BY teacher_id
),
ranked AS (
    SELECT row_number() OVER (ORDER BY s.score DESC, s.teacher_id) AS rank,
           s.teacher_id, t.last_name, t.first_name, r.region_kato, s.score, s.achievements
    FROM scores s
    JOIN regions r ON r.region = s.region
    LEFT JOIN teachers t ON t.region = s.region AND t.teacher_id = s.teacher_id
)
SELECT rank, teacher_id, last_name, first_name, region_kato,
       CAST(score AS BIGINT) AS score, achievements
FROM ranked
WHERE rank <= {{limit}}
ORDER BY rank
