select
    count(*) as n,
    min(received_at) as first_seen,
    max(received_at) as last_seen,
    count(id) - count(distinct id) as duplicates,
    sum(case when coupon is null then 1 else 0 end) as c0,
    min(case when coupon is null then received_at end) as f0,
    max(case when coupon is null then received_at end) as l0,
    (select count(*) from segment_prod.pages where received_at >= cast('2025-03-06 12:00:00' as timestamp) and received_at < cast('2025-03-08 12:00:00' as timestamp) and name = 'it''s \ "Kasse" ünï') as previous_n,
    sum(case when received_at >= cast('2025-03-08 12:00:00' as timestamp) and received_at < cast('2025-03-09 00:00:00' as timestamp) then 1 else 0 end) as v0,
    sum(case when received_at >= cast('2025-03-09 00:00:00' as timestamp) and received_at < cast('2025-03-10 00:00:00' as timestamp) then 1 else 0 end) as v1,
    sum(case when received_at >= cast('2025-03-10 00:00:00' as timestamp) and received_at < cast('2025-03-10 12:00:00' as timestamp) then 1 else 0 end) as v2
from segment_prod.pages
where received_at >= cast('2025-03-08 12:00:00' as timestamp) and received_at < cast('2025-03-10 12:00:00' as timestamp) and name = 'it''s \ "Kasse" ünï'
