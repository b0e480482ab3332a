import { PageTitle } from '../components/layout';

export default function NotFound() {
  return (
    <>
      <PageTitle title="Not found" />
      <p>
        There is no such page. <a href="/">Your stacks</a>
      </p>
    </>
  );
}
