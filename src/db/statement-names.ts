/**
 * Names for Prisma's statements, so that each pg connection prepares a statement once (Parse, and
 * PostgreSQL's parse analysis and planning) and then only binds and executes it. The hot queries
 * (a round's step, the scheduler's claim, the bot's StreamerByGuild) repeat the same SQL text
 * thousands of times a minute.
 *
 * A prepared statement stays on its connection for the connection's life (pg never deallocates),
 * so only the first `max` distinct texts get a name; later ones go unnamed (the protocol's unnamed
 * statement, planned each time, as before). A name always stands for one text within a process,
 * which is what pg requires of a name on a connection.
 */
export function statementNames(max: number): (sql: string) => string {
  const names = new Map<string, string>();
  return (sql) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= max) return '';
    const name = `kinoyu_${names.size + 1}`;
    names.set(sql, name);
    return name;
  };
}
