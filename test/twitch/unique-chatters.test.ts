import { describe, expect, it } from 'vitest';
import { eligibleChatters } from '../../src/chatters/eligibility';
import type { Chatter } from '../../src/chatters/chatter';
import { UniqueChatters } from '../../src/twitch/api';

const chatter = (id: number, login = `user_${id}`): Chatter => ({ userId: String(id), login, displayName: login });

describe('UniqueChatters (overlapping Get Chatters pages)', () => {
  it('keeps the first occurrence of each user id, in order', () => {
    const list = [chatter(1), chatter(2), { ...chatter(1), displayName: 'Later' }, chatter(3), chatter(2)];
    const unique = new UniqueChatters();
    unique.addAll(list.slice(0, 3));
    unique.addAll(list.slice(3));
    expect(unique.list.map((c) => c.userId)).toEqual(['1', '2', '3']);
    expect(unique.list[0]?.displayName).toBe('user_1');
    expect(unique.duplicates).toBe(2);
  });

  it('with the shared eligibility rules, handles 100 000 chatters from overlapping pages', () => {
    const list = Array.from({ length: 100_000 }, (_, i) => chatter(i));
    const withDuplicates = list.concat(list.slice(0, 5_000));
    const excluded = new Set(Array.from({ length: 1_000 }, (_, i) => String(i * 7)));
    const pages = new UniqueChatters();
    for (let start = 0; start < withDuplicates.length; start += 1000) pages.addAll(withDuplicates.slice(start, start + 1000));
    const eligible = eligibleChatters(pages.list, { excludeUserIds: excluded, excludeLogins: ['USER_1', 'user_2'] });
    expect(pages.list).toHaveLength(100_000);
    expect(eligible).toHaveLength(100_000 - 1_000 - 2);
  });
});
