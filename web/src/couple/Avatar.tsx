/** A person's picture, or their initial on the brand colour when they have none. */
export function Avatar({
  person,
}: {
  person: { displayName: string | null; handle: string | null; avatarUrl: string | null };
}) {
  const name = person.displayName ?? person.handle ?? '?';
  if (person.avatarUrl)
    return <img className="avatar" src={person.avatarUrl} alt="" width={56} height={56} />;
  return (
    <span className="avatar" aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}
