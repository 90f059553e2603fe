import { graphql, type ResultOf } from '../../graphql/graphql';

export const ViewerQuery = graphql(`
  query DashboardViewer {
    viewer {
      twitchUserId
      login
      displayName
      streamers { role streamer { id login displayName linked } }
    }
  }
`);

export type Viewer = NonNullable<ResultOf<typeof ViewerQuery>['viewer']>;
