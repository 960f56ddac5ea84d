// Lua scripts for membership and task leases. Each runs atomically in Redis and
// reads Redis's own clock (TIME), so expiry is judged by one clock for everyone.
// A lease is one field of the `leases` hash: "<instance>|<generation>|<expiresMs>";
// the generation comes from HINCRBY on the `generations` hash, so it only grows,
// per unit, across every acquisition by any worker — the fencing token.
//
// Keys (base = <prefix>:{<group>}, one Redis Cluster slot per group):
//   <base>:members      ZSET instance → heartbeat expiry (ms, Redis time)
//   <base>:member-info  HASH instance → {"workerId","url"}
//   <base>:leases       HASH unit → lease
//   <base>:generations  HASH unit → last generation handed out
//   <base>:epoch        STRING "<id>|<no acquisitions before ms>": detects a Redis that lost its data
//   <base>:events       pub/sub channel: wake-ups (join, leave, release)

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
const PARSE = `local function parse(v) if not v then return nil end local i, g, e = string.match(v, '^(.*)|(%d+)|(%d+)$') if not i then return nil end return i, tonumber(g), tonumber(e) end`;

/**
 * KEYS members, member-info, leases, generations, epoch; ARGV instance, ttl, info,
 * known epoch ('' if none yet), new epoch id, then unit, generation pairs.
 * Returns {now, epoch, lost units…}.
 *
 * The epoch key tells a Redis that lost its data (restart without persistence) from
 * one that kept it. A worker that knew an epoch and finds it gone or changed knows
 * the leases were lost: it re-creates the epoch with a grace of one lease during
 * which nobody acquires, and re-claims the units it holds (they are absent, not
 * taken), so running tasks neither stop nor ever run twice.
 */
export const RENEW = `${NOW}
${PARSE}
local inst = ARGV[1]; local ttl = tonumber(ARGV[2]); local known = ARGV[4]
local ep = redis.call('GET', KEYS[5])
local eid = ep and string.match(ep, '^(.-)|') or nil
local lossy = known ~= '' and eid ~= known
if not ep then
  eid = ARGV[5]
  redis.call('SET', KEYS[5], eid .. '|' .. string.format('%d', known ~= '' and now + ttl or 0))
elseif lossy then
  local g = tonumber(string.match(ep, '|(%d+)$')) or 0
  if g < now + ttl then redis.call('SET', KEYS[5], eid .. '|' .. string.format('%d', now + ttl)) end
end
redis.call('ZADD', KEYS[1], now + ttl, inst)
redis.call('HSET', KEYS[2], inst, ARGV[3])
local out = {now, eid}
for i = 6, #ARGV, 2 do
  local u = ARGV[i]; local gen = tonumber(ARGV[i + 1])
  local v = redis.call('HGET', KEYS[3], u)
  local li, lg, le = parse(v)
  if (li == inst and lg == gen and le >= now) or (not v and lossy) then
    redis.call('HSET', KEYS[3], u, inst .. '|' .. gen .. '|' .. string.format('%d', now + ttl))
    if not v and (tonumber(redis.call('HGET', KEYS[4], u)) or 0) < gen then redis.call('HSET', KEYS[4], u, gen) end
  else
    table.insert(out, u)
  end
end
return out`;

/** KEYS members, member-info, leases; ARGV forgetAfterMs. Returns {now, members [inst, info, expiry]…, '', leases [unit, lease]…, '', forgotten members…}. Forgets members expired for forgetAfterMs, drops expired leases. */
export const VIEW = `${NOW}
${PARSE}
local forget = tonumber(ARGV[1])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now - forget))
for _, m in ipairs(gone) do redis.call('ZREM', KEYS[1], m); redis.call('HDEL', KEYS[2], m) end
local out = {now}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], string.format('%d', now), '+inf', 'WITHSCORES')
for i = 1, #live, 2 do table.insert(out, live[i]); table.insert(out, redis.call('HGET', KEYS[2], live[i]) or '{}'); table.insert(out, live[i + 1]) end
table.insert(out, '')
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  local li, lg, le = parse(all[i + 1])
  if not li or le < now then redis.call('HDEL', KEYS[3], all[i])
  else table.insert(out, all[i]); table.insert(out, all[i + 1]) end
end
table.insert(out, '')
for _, m in ipairs(gone) do table.insert(out, m) end
return out`;

/** KEYS leases, generations, epoch; ARGV instance, ttl, max, candidate units…. Returns {now, unit, generation, …} for the units taken; nothing without an epoch or within its grace. */
export const ACQUIRE = `${NOW}
${PARSE}
local inst = ARGV[1]; local ttl = tonumber(ARGV[2]); local max = tonumber(ARGV[3])
local out = {now}; local n = 0
local ep = redis.call('GET', KEYS[3])
if not ep or now < (tonumber(string.match(ep, '|(%d+)$')) or 0) then return out end
for i = 4, #ARGV do
  if n >= max then break end
  local u = ARGV[i]
  local li, lg, le = parse(redis.call('HGET', KEYS[1], u))
  if not li or le < now then
    local gen = redis.call('HINCRBY', KEYS[2], u, 1)
    redis.call('HSET', KEYS[1], u, inst .. '|' .. gen .. '|' .. string.format('%d', now + ttl))
    table.insert(out, u); table.insert(out, gen); n = n + 1
  end
end
return out`;

/** KEYS leases; ARGV instance, then unit, generation pairs. Deletes only leases still ours with that generation. Returns the count. */
export const RELEASE = `${PARSE}
local n = 0
for i = 2, #ARGV, 2 do
  local li, lg = parse(redis.call('HGET', KEYS[1], ARGV[i]))
  if li == ARGV[1] and lg == tonumber(ARGV[i + 1]) then redis.call('HDEL', KEYS[1], ARGV[i]); n = n + 1 end
end
return n`;

/** KEYS leases; ARGV instance, unit, generation. 1 while that exact lease is held and unexpired. */
export const VERIFY = `${NOW}
${PARSE}
local li, lg, le = parse(redis.call('HGET', KEYS[1], ARGV[2]))
if li == ARGV[1] and lg == tonumber(ARGV[3]) and le >= now then return 1 end
return 0`;

/** KEYS members, member-info; ARGV instance. */
export const LEAVE = `redis.call('ZREM', KEYS[1], ARGV[1]); redis.call('HDEL', KEYS[2], ARGV[1]); return 1`;
